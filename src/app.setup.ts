import { join } from 'node:path';
import type { ConfigType } from '@nestjs/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import connectPgSimple from 'connect-pg-simple';
import cookieParser from 'cookie-parser';
import express, { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { appConfig } from './config/app.config';
import { authConfig } from './config/auth.config';
import { DEFAULT_LANGUAGE, isLanguage } from './i18n/i18n';
import { importUploadMiddleware } from './imports/upload.middleware';
import { httpLogger } from './logging/logger';
import { middlewareErrorHandler, renderErrorPage } from './web/render-errors.filter';
import { csrfTools, securityHeaders } from './web/security';
import { SessionStoreLifecycle } from './web/session-store';
import { PROJECT_ROOT, setUpViews } from './web/view-engine';

export const SESSION_COOKIE = 'nc.sid';

/**
 * Everything between the socket and the controllers, shared by `main.ts` and the tests so they run
 * the same stack: headers, static files, logs, session (in PostgreSQL), passport, CSRF, page locals.
 */
export async function configureApp(app: NestExpressApplication, logger: Logger): Promise<void> {
  const appCfg = app.get<ConfigType<typeof appConfig>>(appConfig.KEY);
  const auth = app.get<ConfigType<typeof authConfig>>(authConfig.KEY);
  const dataSource = app.get(DataSource);

  app.set('trust proxy', appCfg.trustProxy);
  app.disable('x-powered-by');
  app.use(securityHeaders(auth.cookieSecure));
  // Static assets from the app itself (no CDN): cached, and before sessions so they cost no query.
  const staticOptions = { maxAge: appCfg.production ? '7d' : 0, index: false, fallthrough: true };
  app.use('/static/vendor/bootstrap', express.static(join(PROJECT_ROOT, 'node_modules/bootstrap/dist'), staticOptions));
  app.use('/static/vendor/chart.js', express.static(join(PROJECT_ROOT, 'node_modules/chart.js/dist'), staticOptions));
  app.use('/static', express.static(join(PROJECT_ROOT, 'views/static'), staticOptions));
  // The browser asks for an icon on its own, late and in parallel: answered here, before sessions, so it
  // can never consume the one-shot message meant for the page that follows a save.
  app.use('/favicon.ico', (_req: Request, res: Response) => res.status(204).end());
  app.use(httpLogger(logger));
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(cookieParser());
  app.use((req: Request, res: Response, next: NextFunction) => {
    const lang: unknown = req.cookies?.lang;
    res.locals.lang = isLanguage(lang) ? lang : DEFAULT_LANGUAGE;
    res.locals.path = req.path;
    next();
  });

  // One pool for everything: TypeORM's (a second pool on the embedded database would not be isolated).
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool: (dataSource.driver as unknown as { master: Pool }).master,
    tableName: 'user_session',
    createTableIfMissing: false,
    pruneSessionInterval: 15 * 60,
    // Rows outlive no session: the absolute lifetime bounds them; idleness is checked by SessionGuard.
    ttl: Math.ceil(auth.absoluteTimeoutMs / 1000),
    // No "touch" (an UPDATE of the row's expiry on every request that did not change the session): a row
    // is written with expiry = now + absolute lifetime when the session is created and whenever it is
    // saved, so it always outlives the session's absolute lifetime, which SessionGuard enforces from
    // createdAt. Sliding the expiry bought nothing and cost a database round trip per request.
    disableTouch: true,
  });
  app.get(SessionStoreLifecycle).register(store);
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: auth.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      // No rolling cookie and no cookie expiry: the cookie dies with the browser session, and the server
      // enforces the idle and absolute timeouts itself (SessionGuard), so a request does not rewrite the
      // session row unless something in it changed.
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'strict', secure: auth.cookieSecure, path: '/' },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());

  const csrf = csrfTools(auth.sessionSecret, auth.cookieSecure, (_req, res) =>
    renderErrorPage(res, 403, 'errors.csrf'),
  );
  // The import upload form is multipart: its body (and CSRF token) is read just before the check.
  app.use(importUploadMiddleware());
  app.use(csrf.protect);
  app.use((req: Request, res: Response, next: NextFunction) => {
    // Pages get a token; the JSON health probes do not need one. Made when a page is rendered (rendering
    // reads the locals, before the headers go out), not on every request: a save answered by a redirect
    // would compute an HMAC and set a cookie for nothing.
    if (req.session && !req.path.startsWith('/health')) {
      let token: string | undefined;
      Object.defineProperty(res.locals, 'csrfToken', {
        enumerable: true,
        get: () => (token ??= csrf.token(req, res)),
      });
    }
    next();
  });
  // Page locals that depend on the signed-in user are filled after the guards ran (PageLocalsInterceptor).
  app.use(middlewareErrorHandler);

  await setUpViews(app);
  app.enableShutdownHooks();
}
