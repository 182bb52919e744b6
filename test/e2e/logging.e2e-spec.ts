import { Logger } from '@nestjs/common';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/app.setup';
import { cliContext } from '../../src/audit/audit.service';
import { UsersService } from '../../src/users/users.service';
import { aPersona, createTestApp, csrfTokenIn, loginAs, submit, TestApp, unique } from '../support/app';

const PASSWORD = 'Marker-Password-123456';
const WRONG_PASSWORD = 'Marker-Wrong-Password-987654';
const NEW_PASSWORD = 'Marker-New-Password-555555';
const FREE_TEXT = 'Marker free text: khách hàng Lan, 0912345678';
const UNKNOWN_USERNAME = 'marker-unknown-username';
const QUERY_MARKER = 'MARKER-QUERY';

interface RequestLine {
  req?: { method?: string; path?: string };
  res?: { statusCode?: number };
}

/** The value of a cookie the server set, as the browser would send it back. */
const cookieValue = (res: request.Response, name: string): string | undefined =>
  ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    .slice(name.length + 1);

/** The responses are sent before the request logger writes its line on 'finish': let it run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('logs carry nothing sensitive', () => {
  let t: TestApp;
  let username: string;
  let sessionCookie: string;
  let csrfToken: string;
  let csrfCookie: string;

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await aPersona(t, 'admin');
    username = unique('marker-user').toLowerCase();
    await t.app.get(UsersService).create(cliContext(), {
      username,
      role: 'social_worker',
      organizationId: admin.organizationId,
      password: PASSWORD,
    });

    // Sign in with the password, through the real form.
    const agent = request.agent(t.app.getHttpServer());
    const loginPage = await agent.get('/login').expect(200);
    csrfCookie = cookieValue(loginPage, 'nc.csrf')!;
    const signedIn = await agent
      .post('/login')
      .type('form')
      .send({ username, password: PASSWORD, _csrf: csrfTokenIn(loginPage.text), note: FREE_TEXT })
      .expect(303);
    sessionCookie = cookieValue(signedIn, SESSION_COOKIE)!;
    const home = await agent.get('/').expect(200);
    csrfToken = csrfTokenIn(home.text);

    // A form with free text and passwords that fails validation (the body is re-rendered, not logged).
    await agent
      .post('/account/password')
      .type('form')
      .send({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD, confirmPassword: FREE_TEXT, _csrf: csrfToken })
      .expect(422);
    // A form whose field carries a query string.
    await agent
      .post('/lang')
      .type('form')
      .send({ lang: 'en', next: `/audit?actor=${QUERY_MARKER}`, _csrf: csrfToken })
      .expect(303);
    // A page with a query string, and a 404 with one.
    await agent.get(`/?q=${encodeURIComponent(FREE_TEXT)}`).expect(200);
    await agent.get(`/no-such-page?token=${QUERY_MARKER}`).expect(404);

    // A failed sign-in: known user with a wrong password, then an unknown username.
    const stranger = request.agent(t.app.getHttpServer());
    expect((await submit(stranger, '/login', { username, password: WRONG_PASSWORD })).status).toBe(401);
    const unknown = await submit(stranger, '/login', { username: UNKNOWN_USERNAME, password: WRONG_PASSWORD });
    expect(unknown.status).toBe(401);

    // The audit viewer, filtered through its query string.
    const adminAgent = await loginAs(t, admin);
    await adminAgent.get(`/audit?actor=${QUERY_MARKER}&from=2025-01-01&to=2025-12-31`).expect(200);
    await adminAgent.get(`/audit/999999999999?x=${QUERY_MARKER}`).expect(404);
    await settle();
  }, 30_000);
  afterAll(() => t.close());

  const requestLines = (): RequestLine[] =>
    t.logLines.map((line) => JSON.parse(line) as RequestLine).filter((line) => line.req?.path !== undefined);

  const hasLine = (method: string, path: string, status: number) =>
    requestLines().some((l) => l.req?.method === method && l.req?.path === path && l.res?.statusCode === status);

  it('writes one structured line per request with the method, the path and the status', () => {
    expect(hasLine('GET', '/login', 200)).toBe(true);
    expect(hasLine('POST', '/login', 303)).toBe(true);
    expect(hasLine('POST', '/login', 401)).toBe(true);
    expect(hasLine('POST', '/account/password', 422)).toBe(true);
    expect(hasLine('POST', '/lang', 303)).toBe(true);
    expect(hasLine('GET', '/', 200)).toBe(true);
    expect(hasLine('GET', '/no-such-page', 404)).toBe(true);
    expect(hasLine('GET', '/audit', 200)).toBe(true);
    expect(hasLine('GET', '/audit/999999999999', 404)).toBe(true);
  });

  it('never logs a password, a form field, or free text', () => {
    const all = t.logLines.join('\n');
    for (const secret of [PASSWORD, WRONG_PASSWORD, NEW_PASSWORD, FREE_TEXT, '0912345678', UNKNOWN_USERNAME]) {
      expect(all).not.toContain(secret);
    }
    // The signed-in user's name is in the audit trail, not in the request log.
    expect(all).not.toContain(username);
  });

  it('never logs the session cookie, the CSRF token or its cookie', () => {
    const all = t.logLines.join('\n');
    expect(sessionCookie).toBeTruthy();
    expect(csrfToken).toBeTruthy();
    expect(csrfCookie).toBeTruthy();
    expect(all).not.toContain(sessionCookie);
    expect(all).not.toContain(decodeURIComponent(sessionCookie));
    // The session id alone (between "s:" and the signature).
    expect(all).not.toContain(decodeURIComponent(sessionCookie).slice(2).split('.')[0]);
    expect(all).not.toContain(csrfToken);
    expect(all).not.toContain(csrfToken.split('.')[0]);
    expect(all).not.toContain(decodeURIComponent(csrfCookie));
    expect(all.toLowerCase()).not.toContain('cookie');
    expect(all.toLowerCase()).not.toContain('_csrf');
  });

  it('never logs a query string', () => {
    const all = t.logLines.join('\n');
    expect(all.toLowerCase()).not.toContain(QUERY_MARKER.toLowerCase());
    expect(all).not.toContain('2025-12-31');
    for (const line of requestLines()) expect(line.req?.path).not.toContain('?');
  });

  it('never logs request or response headers', () => {
    const all = t.logLines.join('\n').toLowerCase();
    for (const header of ['user-agent', 'set-cookie', 'content-type', 'x-csrf-token', 'referer', 'host"']) {
      expect(all).not.toContain(header);
    }
  });

  it('blanks the input that a database error message quotes', async () => {
    // What the error filter logs for an unexpected database error, with a real PostgreSQL message.
    const error = await t.dataSource.query('SELECT $1::uuid', [FREE_TEXT]).then(
      () => new Error('no error'),
      (e: Error) => e,
    );
    expect(error.message).toContain(FREE_TEXT);
    new Logger('Errors').error(`${error.name} on GET /somewhere: ${error.message}`, error.stack);
    await settle();
    const line = t.logLines.find((l) => l.includes('on GET /somewhere'));
    expect(line).toContain('invalid input syntax for type uuid: \\"[redacted]\\"');
    expect(t.logLines.join('\n')).not.toContain(FREE_TEXT);
  });
});
