import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { hasMessage } from '../i18n/i18n';
import { isDatabaseUnavailable } from './database-errors';

/** Thrown to send a signed-in user to the sign-in step they still owe (password change, two-factor). */
export class PendingStepException extends Error {
  constructor(readonly location: string) {
    super('Sign-in step pending');
  }
}

/** Thrown when there is no valid session: the browser goes to the sign-in page. */
export class SignInRequiredException extends Error {
  constructor(readonly reason: 'missing' | 'expired' = 'missing') {
    super('Sign-in required');
  }
}

const logger = new Logger('Errors');

const wantsJson = (req: Request) => req.path.startsWith('/health') || !req.accepts('html');

/**
 * One answer for every error, whether it comes from a route (the Nest filter below) or from the
 * middleware in front of the routes (session store, passport): a page in the user's language,
 * "try again" when the database is down, and never a stack trace.
 */
export function respondWithError(exception: unknown, req: Request, res: Response): void {
  if (res.headersSent) return;
  if (exception instanceof SignInRequiredException) {
    res.redirect(303, exception.reason === 'expired' ? '/login?expired=1' : '/login');
    return;
  }
  if (exception instanceof PendingStepException) {
    res.redirect(303, exception.location);
    return;
  }

  let status: number;
  if (exception instanceof HttpException) {
    status = exception.getStatus();
  } else if (isDatabaseUnavailable(exception)) {
    status = HttpStatus.SERVICE_UNAVAILABLE;
    logger.error(`Database unavailable on ${req.method} ${req.path}`);
  } else if ((exception as { type?: string }).type === 'entity.too.large') {
    status = HttpStatus.PAYLOAD_TOO_LARGE;
  } else {
    status = HttpStatus.INTERNAL_SERVER_ERROR;
    const error = exception as Error | undefined;
    logger.error(`${error?.name ?? 'Error'} on ${req.method} ${req.path}: ${error?.message ?? ''}`, error?.stack);
  }
  // Only the statuses we have pages for; any other 4xx reads as a bad request.
  const page = [403, 404, 503].includes(status) ? status : status >= 500 ? 500 : 400;
  if (status === 503) res.setHeader('Retry-After', '30');
  if (wantsJson(req)) {
    res.status(status).json({ status: page === 503 ? 'unavailable' : 'error', statusCode: status });
    return;
  }
  renderErrorPage(res, status, explainedMessage(exception) ?? `errors.${page}`);
}

/** An HttpException may name the message of its page (`{ messageKey }`), e.g. a write refused by a rule. */
function explainedMessage(exception: unknown): string | null {
  if (!(exception instanceof HttpException)) return null;
  const response = exception.getResponse();
  const key = typeof response === 'object' && response !== null ? (response as { messageKey?: unknown }).messageKey : null;
  return typeof key === 'string' && hasMessage(key) ? key : null;
}

export function renderErrorPage(res: Response, status: number, messageKey: string): void {
  res
    .status(status)
    .render('errors/error', { title: 'errors.title', status, messageKey, retry: status === 503 }, (error, html) => {
      // If even the page cannot render (broken view), answer plain text rather than a stack trace.
      if (error) res.type('text/plain').send(`Error ${status}`);
      else res.send(html);
    });
}

@Catch()
export class RenderErrorsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    respondWithError(exception, ctx.getRequest<Request>(), ctx.getResponse<Response>());
  }
}

/** Express error middleware for failures before the routes (session store, passport, body parser). */
export const middlewareErrorHandler = (error: unknown, req: Request, res: Response, _next: NextFunction) =>
  respondWithError(error, req, res);
