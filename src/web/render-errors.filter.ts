import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
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

const wantsJson = (req: Request) => !req.accepts('html') || req.path === '/health';

/** Renders every error as a page in the user's language; no stack trace ever reaches a user. */
@Catch()
export class RenderErrorsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
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
      this.logger.error(`Database unavailable on ${req.method} ${req.path}`);
    } else {
      status = HttpStatus.INTERNAL_SERVER_ERROR;
      const error = exception as Error;
      this.logger.error(
        `${error?.name ?? 'Error'} on ${req.method} ${req.path}: ${error?.message ?? ''}`,
        error?.stack,
      );
    }
    // Only the statuses we have pages for; any other 4xx reads as a bad request.
    const page = [403, 404, 503].includes(status) ? status : status >= 500 ? 500 : 400;
    res.status(status);
    if (status === 503) res.setHeader('Retry-After', '30');
    if (wantsJson(req)) {
      res.json({ status: page === 503 ? 'unavailable' : 'error', statusCode: status });
      return;
    }
    renderErrorPage(res, status, `errors.${page}`);
  }
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
