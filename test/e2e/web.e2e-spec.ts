import type { Pool } from 'pg';
import request from 'supertest';
import { aPersona, createTestApp, loginAs, Persona, submit, TestApp } from '../support/app';
import { SessionStoreLifecycle } from '../../src/web/session-store';

/** Makes every new database checkout fail as if the server were down, until restored. */
function simulateDatabaseOutage(t: TestApp): () => void {
  const pool = (t.dataSource.driver as unknown as { master: Pool }).master;
  const original = pool.connect.bind(pool);
  const outage = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  (pool as unknown as { connect: unknown }).connect = (callback?: (error: Error) => void) => {
    if (callback) return void callback(outage());
    return Promise.reject(outage());
  };
  return () => {
    (pool as unknown as { connect: unknown }).connect = original;
  };
}

describe('the web shell', () => {
  let t: TestApp;
  let worker: Persona;

  beforeAll(async () => {
    t = await createTestApp();
    worker = await aPersona(t, 'social_worker');
  });
  afterAll(() => t.close());

  it('answers the health probe with 200 when the app and database are up', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
  });

  it('sends a strict Content-Security-Policy without inline script on every page', async () => {
    const res = await request(t.app.getHttpServer()).get('/login').expect(200);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.text).not.toMatch(/\sstyle="/);
  });

  it('serves its stylesheets itself (no CDN)', async () => {
    const page = await request(t.app.getHttpServer()).get('/login');
    expect(page.text).not.toMatch(/https?:\/\//);
    await request(t.app.getHttpServer()).get('/static/vendor/bootstrap/css/bootstrap.min.css').expect(200);
    await request(t.app.getHttpServer()).get('/static/app.css').expect(200);
  });

  it('answers an unknown page with a 404 page in Vietnamese, and in English once chosen', async () => {
    const agent = await loginAs(t, worker);
    const vi = await agent.get('/no/such/page').expect(404);
    expect(vi.text).toContain('Không tìm thấy trang hoặc hồ sơ bạn yêu cầu.');
    await submit(agent, '/lang', { lang: 'en', next: '/' }, '/').then((r) => expect(r.status).toBe(303));
    const en = await agent.get('/no/such/page').expect(404);
    expect(en.text).toContain('The page or record you asked for was not found.');
  });

  it('remembers the chosen language and returns to the page it was chosen on', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const res = await submit(agent, '/lang', { lang: 'en', next: '/login' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/login');
    const page = await agent.get('/login').expect(200);
    expect(page.text).toContain('<html lang="en">');
    expect(page.text).toContain('<title>Sign in · Nhịp Cầu</title>');
  });

  it('ignores an unknown language and never redirects to another site', async () => {
    const agent = request.agent(t.app.getHttpServer());
    const res = await submit(agent, '/lang', { lang: 'fr', next: '//evil.example/path' });
    expect(res.headers.location).toBe('/');
    const page = await agent.get('/login');
    expect(page.text).toContain('<html lang="vi">');
  });

  it('shows a "try again" page and a 503 health while the database is down, and recovers by itself', async () => {
    const agent = await loginAs(t, worker);
    const restore = simulateDatabaseOutage(t);
    try {
      const health = await request(t.app.getHttpServer()).get('/health');
      expect(health.status).toBe(503);
      expect(health.body.status).toBe('unavailable');
      // The process itself still serves: liveness does not depend on the database.
      const live = await request(t.app.getHttpServer()).get('/health/live');
      expect(live.status).toBe(200);
      expect(live.body).toEqual({ status: 'ok' });
      const page = await agent.get('/');
      expect(page.status).toBe(503);
      expect(page.text).toContain('không kết nối được cơ sở dữ liệu');
      expect(page.text).not.toMatch(/ECONNREFUSED|at \w+ \(/);
    } finally {
      restore();
    }
    await request(t.app.getHttpServer()).get('/health').expect(200);
    await agent.get('/').expect(200);
  });

  it('answers a malformed form body with an error page, not a stack trace', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/login')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('a'.repeat(200_000));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.text).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('keeps the message of a save for the page that follows, whatever the browser fetches in between', async () => {
    const agent = await loginAs(t, worker);
    const newPassword = 'a-fresh-password-for-the-flash';
    const done = await submit(
      agent,
      '/account/password',
      { currentPassword: worker.password, newPassword, confirmPassword: newPassword },
      '/account/password',
    );
    expect(done.status).toBe(303);
    worker.password = newPassword;
    // The browser's own icon request and a stylesheet arrive before the next page.
    await agent.get('/favicon.ico').expect(204);
    await agent.get('/static/app.css').expect(200);
    const next = await agent.get(done.headers.location).expect(200);
    expect(next.text).toMatch(/role="status"[^>]*>[\s\S]*?Đã đổi mật khẩu\./);
    // Shown once only.
    expect((await agent.get(done.headers.location).expect(200)).text).not.toContain('Đã đổi mật khẩu.');
  });
});

describe('closing the app', () => {
  it('stops the session store pruning expired sessions, so no timer fires on the closed pool', async () => {
    const t = await createTestApp();
    const lifecycle = t.app.get(SessionStoreLifecycle) as unknown as { store: { closed?: boolean } | null };
    const store = lifecycle.store;
    expect(store).not.toBeNull();
    expect(store?.closed).toBeFalsy();
    await t.close();
    expect(store?.closed).toBe(true);
  });
});
