import type { LoggerService } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { DestinationStream, Logger } from 'pino';
import pinoHttp from 'pino-http';

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

export function httpLogger(logger: Logger) {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    serializers: {
      req: (req: IncomingMessage & { originalUrl?: string }) => ({
        method: req.method,
        path: pathOnly(req.originalUrl ?? req.url),
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      err: (err: Error) => ({ type: err.name, message: scrubErrorText(err.message) }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    wrapSerializers: false,
  });
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
