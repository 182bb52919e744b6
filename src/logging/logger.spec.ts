import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { createLogger, httpLogger } from './logger';

/** The request logger over a fake request and response; the lines it writes, parsed. */
function logRequest(url: string, statusCode: number, finished: boolean) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  const res = Object.assign(new EventEmitter(), { statusCode, writableFinished: finished });
  const req = { method: 'POST', originalUrl: url, url } as Request;
  const next = jest.fn() as NextFunction;
  httpLogger(logger)(req, res as unknown as Response, next);
  expect(next).toHaveBeenCalledTimes(1);
  expect(lines).toEqual([]); // nothing before the response is done
  res.emit('close');
  return lines;
}

describe('the request log line', () => {
  it('carries the method, the path without its query string, the status and the time, nothing else', () => {
    const [line] = logRequest('/clients/abc/contacts?code=SECRET', 303, true);
    expect(line).toEqual({
      level: 30,
      time: expect.any(Number),
      req: { method: 'POST', path: '/clients/abc/contacts' },
      res: { statusCode: 303 },
      responseTime: expect.any(Number),
      msg: 'request completed',
    });
    expect(JSON.stringify(line)).not.toContain('SECRET');
  });

  it('is an error at 5xx, and says so when the client left before the answer', () => {
    expect(logRequest('/', 503, true)[0]).toMatchObject({ level: 50, msg: 'request errored' });
    expect(logRequest('/', 200, false)[0]).toMatchObject({ level: 30, msg: 'request aborted' });
  });
});
