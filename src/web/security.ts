import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import helmet from 'helmet';

/** Strict CSP: no inline script or style, everything from the app itself (no CDN). QR codes are data: images. */
export function securityHeaders(secureCookies: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        ...(secureCookies ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: secureCookies,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

export interface CsrfTools {
  protect: (req: Request, res: Response, next: NextFunction) => void;
  token: (req: Request, res: Response) => string;
}

/** CSRF token on every state-changing request (double-submit cookie bound to the session id). */
export function csrfTools(
  secret: string,
  secureCookies: boolean,
  onRejected: (req: Request, res: Response) => void,
): CsrfTools {
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: secureCookies ? '__Host-nc.csrf' : 'nc.csrf',
    cookieOptions: { sameSite: 'strict', secure: secureCookies, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => {
      const body = req.body as Record<string, unknown> | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : req.headers['x-csrf-token'];
    },
  });
  return {
    protect: (req, res, next) =>
      doubleCsrfProtection(req, res, (error?: unknown) => (error ? onRejected(req, res) : next())),
    token: (req, res) => generateCsrfToken(req, res, { overwrite: false, validateOnReuse: false }),
  };
}
