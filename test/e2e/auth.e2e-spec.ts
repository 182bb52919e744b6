import { authenticator } from 'otplib';
import request from 'supertest';
import { SESSION_COOKIE } from '../../src/app.setup';
import { aPersona, createTestApp, csrfTokenIn, loginAs, Persona, submit, TestApp, tokenFor } from '../support/app';
import { auditRowsFor } from '../support/audit';
import { HOURS, MINUTES } from '../support/fake-clock';

const sessionCookie = (res: request.Response) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${SESSION_COOKIE}=`));

describe('signing in and out', () => {
  let t: TestApp;
  let worker: Persona;

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
  });
  afterAll(() => t.close());
  afterEach(() => t.clock.reset());

  it('shows the sign-in page in Vietnamese with a neutral title', async () => {
    const page = await request(t.app.getHttpServer()).get('/login').expect(200);
    expect(page.text).toContain('<title>Đăng nhập · Nhịp Cầu</title>');
    expect(page.text).toContain('name="username"');
  });

  it('signs a social worker in, shows their home page, and audits the sign-in', async () => {
    const agent = await loginAs(t, worker);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain(worker.username);
    const actions = (await auditRowsFor(t.dataSource, worker.userId)).map((r) => r.action);
    expect(actions).toContain('auth.login');
  });

  it('regenerates the session id at sign-in', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const loginPage = await agent.get('/login');
    const before = sessionCookie(loginPage);
    const signedIn = await agent
      .post('/login')
      .type('form')
      .send({ username: worker.username, password: worker.password, _csrf: csrfTokenIn(loginPage.text) })
      .expect(303);
    const after = sessionCookie(signedIn);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    expect(after!.split(';')[0]).not.toBe(before!.split(';')[0]);
  });

  it('sets the session cookie HttpOnly and SameSite=Strict', async () => {
    const page = await request(t.app.getHttpServer()).get('/login');
    expect(sessionCookie(page)).toMatch(/HttpOnly/);
    expect(sessionCookie(page)).toMatch(/SameSite=Strict/);
  });

  it('refuses a wrong password with one message that does not reveal whether the account exists', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const wrong = await submit(agent, '/login', { username: worker.username, password: 'not-the-password' });
    const unknown = await submit(agent, '/login', { username: 'nobody-here', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(unknown.text).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    const failures = (await auditRowsFor(t.dataSource, worker.userId)).filter((r) => r.action === 'auth.login_failed');
    expect(failures.length).toBeGreaterThan(0);
  });

  it('re-renders the form with field errors when a field is empty', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const res = await submit(agent, '/login', { username: '', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Vui lòng nhập mục này.');
  });

  it('locks an account after five failures, even with the right password, then lets it in after the lockout', async () => {
    const target = await aPersona(t, 'social_worker');
    const agent = request.agent(t.app.getHttpServer());
    for (let i = 0; i < 5; i++)
      await submit(agent, '/login', { username: target.username, password: 'wrong-password!' });
    const locked = await submit(agent, '/login', { username: target.username, password: target.password });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('tạm thời bị khóa');
    const actions = (await auditRowsFor(t.dataSource, target.userId)).map((r) => r.action);
    expect(actions).toContain('auth.locked_out');

    t.clock.advance(16 * MINUTES);
    const later = await submit(agent, '/login', { username: target.username, password: target.password });
    expect(later.status).toBe(303);
  });

  it('locks an unknown username the same way as a real one', async () => {
    const agent = request.agent(t.app.getHttpServer());
    for (let i = 0; i < 5; i++) await submit(agent, '/login', { username: 'ghost-user', password: 'wrong-password!' });
    const res = await submit(agent, '/login', { username: 'ghost-user', password: 'wrong-password!' });
    expect(res.status).toBe(429);
  });

  it('signs out, destroys the session and audits it', async () => {
    const agent = await loginAs(t, worker);
    const token = await tokenFor(agent, '/');
    await agent.post('/logout').type('form').send({ _csrf: token }).expect(303).expect('Location', '/login');
    await agent.get('/').expect(303).expect('Location', '/login');
    const actions = (await auditRowsFor(t.dataSource, worker.userId)).map((r) => r.action);
    expect(actions).toContain('auth.logout');
  });

  it('sends an anonymous visitor to the sign-in page', async () => {
    await request(t.app.getHttpServer()).get('/').expect(303).expect('Location', '/login');
  });

  it('ends a session idle for more than 15 minutes', async () => {
    const agent = await loginAs(t, worker);
    t.clock.advance(14 * MINUTES);
    await agent.get('/').expect(200);
    t.clock.advance(14 * MINUTES);
    await agent.get('/').expect(200);
    t.clock.advance(16 * MINUTES);
    await agent.get('/').expect(303).expect('Location', '/login?expired=1');
    await agent.get('/').expect(303).expect('Location', '/login');
    const actions = (await auditRowsFor(t.dataSource, worker.userId)).map((r) => r.action);
    expect(actions).toContain('auth.session_expired');
  });

  it('ends an active session after 8 hours', async () => {
    const agent = await loginAs(t, worker);
    for (let elapsed = 0; elapsed < 8 * HOURS - 10 * MINUTES; elapsed += 10 * MINUTES) {
      t.clock.advance(10 * MINUTES);
      await agent.get('/').expect(200);
    }
    t.clock.advance(11 * MINUTES);
    await agent.get('/').expect(303).expect('Location', '/login?expired=1');
  });
});

describe('CSRF protection', () => {
  let t: TestApp;
  let worker: Persona;

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
  });
  afterAll(() => t.close());

  it('refuses a form posted without a token with a friendly 403 page', async () => {
    const agent = await loginAs(t, worker);
    const res = await agent.post('/logout').type('form').send({}).expect(403);
    expect(res.text).toContain('Biểu mẫu đã hết hạn hoặc không hợp lệ');
    await agent.get('/').expect(200);
  });

  it('refuses a token that belongs to another session', async () => {
    const other = await loginAs(t, worker);
    const foreignToken = await tokenFor(other, '/');
    const agent = await loginAs(t, worker);
    await agent.post('/logout').type('form').send({ _csrf: foreignToken }).expect(403);
  });

  it('refuses a sign-in without a token', async () => {
    await request(t.app.getHttpServer())
      .post('/login')
      .type('form')
      .send({ username: worker.username, password: worker.password })
      .expect(403);
  });
});

describe('sign-in steps: own password and two-factor', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('makes a user with a temporary password choose their own before anything else', async () => {
    const persona = await aPersona(t, 'social_worker', { temporaryPassword: true });
    const temp = await t.app.get(UsersServiceToken).resetPassword(cliCtx(), persona.userId);
    const agent = request.agent(t.app.getHttpServer());
    const res = await submit(agent, '/login', { username: persona.username, password: temp });
    expect(res.headers.location).toBe('/account/password');
    await agent.get('/').expect(303).expect('Location', '/account/password');

    const mismatch = await submit(
      agent,
      '/account/password',
      { currentPassword: temp, newPassword: 'my-own-new-password', confirmPassword: 'something-else-123' },
      '/account/password',
    );
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('Hai mật khẩu mới không khớp.');

    const short = await submit(
      agent,
      '/account/password',
      { currentPassword: temp, newPassword: 'short', confirmPassword: 'short' },
      '/account/password',
    );
    expect(short.status).toBe(422);
    expect(short.text).toContain('ít nhất 12 ký tự');

    const done = await submit(
      agent,
      '/account/password',
      { currentPassword: temp, newPassword: 'my-own-new-password', confirmPassword: 'my-own-new-password' },
      '/account/password',
    );
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/');
    await agent.get('/').expect(200);
    const actions = (await auditRowsFor(t.dataSource, persona.userId)).map((r) => r.action);
    expect(actions).toContain('auth.password_changed');
  });

  it.each(['admin', 'manager'] as const)(
    'makes a new %s enrol in two-factor before reaching any page',
    async (role) => {
      const persona = await aPersona(t, role, { enrolTotp: false });
      const agent = request.agent(t.app.getHttpServer());
      const res = await submit(agent, '/login', { username: persona.username, password: persona.password });
      expect(res.headers.location).toBe('/account/totp');
      await agent.get('/').expect(303).expect('Location', '/account/totp');

      const setup = await agent.get('/account/totp').expect(200);
      expect(setup.text).toContain('data:image/png;base64');
      const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(setup.text)![1];

      const wrong = await agent
        .post('/account/totp')
        .type('form')
        .send({ code: '000000', _csrf: csrfTokenIn(setup.text) });
      expect(wrong.status).toBe(422);

      const ok = await agent
        .post('/account/totp')
        .type('form')
        .send({ code: authenticator.generate(secret), _csrf: csrfTokenIn(setup.text) });
      expect(ok.status).toBe(303);
      await agent.get('/').expect(200);
      const actions = (await auditRowsFor(t.dataSource, persona.userId)).map((r) => r.action);
      expect(actions).toContain('auth.totp_enrolled');
    },
  );

  it('asks an enrolled manager for the code at every sign-in and refuses a wrong one', async () => {
    const persona = await aPersona(t, 'manager');
    const agent = request.agent(t.app.getHttpServer());
    const res = await submit(agent, '/login', { username: persona.username, password: persona.password });
    expect(res.headers.location).toBe('/login/totp');
    await agent.get('/').expect(303).expect('Location', '/login/totp');
    const wrong = await submit(agent, '/login/totp', { code: '123456' }, '/login/totp');
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Mã xác thực không đúng');
    const right = await submit(
      agent,
      '/login/totp',
      { code: authenticator.generate(persona.totpSecret!) },
      '/login/totp',
    );
    expect(right.status).toBe(303);
    await agent.get('/').expect(200);
  });

  it('does not ask a social worker for a second factor', async () => {
    const persona = await aPersona(t, 'social_worker');
    const agent = request.agent(t.app.getHttpServer());
    const res = await submit(agent, '/login', { username: persona.username, password: persona.password });
    expect(res.headers.location).toBe('/');
  });
});

import { cliContext as cliCtx } from '../../src/audit/audit.service';
import { UsersService as UsersServiceToken } from '../../src/users/users.service';
