import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import pino, { DestinationStream, Logger } from 'pino';

/**
 * Structured logs that carry no personal data: request lines keep the method, the path without its
 * query string, the status and the duration. No header, cookie, body or query string is ever
 * serialized, and the redact list is a second line of defence for anything passed by mistake.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: [
          'req.headers',
          'req.body',
          'req.query',
          'res.headers',
          '*.password',
          '*.cookie',
          '*.note',
          '*.uic',
          'password',
          'cookie',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ sync: false }),
  );
}

const pathOnly = (url: string | undefined) => (url ?? '').split('?')[0];

/**
 * PostgreSQL quotes the rejected input in some error messages (`invalid input syntax for type uuid: "…"`),
 * and that input is whatever a user typed: it is blanked before an error message or stack reaches a log
 * line. Constraint and column names (`violates unique constraint "…"`) stay, they help the diagnosis.
 */
export const scrubErrorText = (text: string | undefined): string | undefined =>
  text?.replace(/: "(?:[^"\\]|\\.)*"/g, ': "[redacted]"');

/**
 * One line per request when its response is done: the method, the path without its query string, the
 * status and the time taken, nothing else (no header, cookie, body or query string). Written by hand
 * rather than with pino-http, which built a child logger and serializers for every request (7% of a
 * contact entry's time, measured with bench:contacts).
 */
export function httpLogger(logger: Logger): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now();
    res.once('close', () => {
      const line = {
        req: { method: req.method, path: pathOnly(req.originalUrl ?? req.url) },
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - started),
      };
      if (!res.writableFinished) logger.info(line, 'request aborted');
      else if (res.statusCode >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    });
    next();
  };
}

/** Routes Nest's own log lines into pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace: scrubErrorText(trace) }, scrubErrorText(String(message)));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, scrubErrorText(String(message)));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
