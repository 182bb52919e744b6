/**
 * Contact entry end to end (session, CSRF, validation, insert, audit) against a bare route of the
 * same app, at 32 concurrent users (MISSION §7: at least a quarter of the bare throughput, p99 < 150 ms).
 * The bare route is `/health/live`: a route of the app that does nothing, through the same middleware
 * (request log, security headers, body and cookie parsing, session, CSRF, guards). A static file, served
 * before most of that, is measured too and printed beside it.
 * Runs on DATABASE_URL when set, else on the embedded database.   npm run bench:contacts
 */
import '../test/support/env';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import request from 'supertest';
import { actorContext } from '../src/audit/audit.service';
import { toActor } from '../src/auth/actor';
import { ClientsService } from '../src/clients/clients.service';
import { UsersService } from '../src/users/users.service';
import { aPersona, createTestApp, csrfTokenIn } from '../test/support/app';

const CONNECTIONS = 32;
const SECONDS = Number(process.argv[2] ?? 10);
/** Each load runs this long first, unmeasured: the JIT compiles the paths, the connections prepare. */
const WARM_UP_SECONDS = 3;

const cookiesOf = (res: request.Response, jar: Map<string, string>) => {
  for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
    const [pair] = c.split(';');
    const [name, value] = pair.split('=');
    jar.set(name, value);
  }
  return [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
};

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  statuses: string;
}

interface Load {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  formFields?: Record<string, string>;
}

/** Runs one load in bench/load-generator.js, a separate process (see there why). */
function runFor(load: Load, duration: number) {
  return new Promise<LoadResult>((resolve, reject) => {
    const child = fork(join(__dirname, 'load-generator.js'));
    child.once('message', (result: LoadResult) => resolve(result));
    child.once('error', reject);
    child.send({ method: 'GET', ...load, connections: CONNECTIONS, duration });
  });
}

/** A warm-up, then the measured run. */
async function run(load: Load) {
  await runFor(load, WARM_UP_SECONDS);
  return runFor(load, SECONDS);
}

async function main() {
  const t = await createTestApp();
  await t.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  const worker = await aPersona(t, 'social_worker');
  const actor = toActor((await t.app.get(UsersService).loadSessionUser(worker.userId))!);
  const outcome = await t.app.get(ClientsService).register(actor, actorContext(actor, null), {
    uic: { mother: 'Lan', father: 'Hung', sex: 'F', own: 'Thu' },
    gender: 'female',
    birthYear: 1995,
    primaryDistrict: 'hoang-mai',
    workSetting: 'massage',
    firstContactDate: '2026-01-05',
    consentDate: '2026-01-05',
    confirmKnownElsewhere: true, // a previous run on the same database registered the same code
    submissionKey: randomUUID(),
  });
  if (outcome.kind !== 'created') throw new Error(`client not created: ${outcome.kind}`);
  const clientId = outcome.client.id;

  const server = t.app.getHttpServer();
  const jar = new Map<string, string>();
  const loginPage = await request(server).get('/login');
  let cookie = cookiesOf(loginPage, jar);
  const signedIn = await request(server)
    .post('/login')
    .set('Cookie', cookie)
    .type('form')
    .send({ username: worker.username, password: worker.password, _csrf: csrfTokenIn(loginPage.text) });
  cookie = cookiesOf(signedIn, jar);
  const form = await request(server).get(`/clients/${clientId}/contacts/new`).set('Cookie', cookie);
  cookie = cookiesOf(form, jar);
  const token = csrfTokenIn(form.text);

  const formFields = {
    _csrf: token,
    contactDate: '2026-11-20',
    modality: 'street',
    districtCode: 'hoang-mai',
    topics: 'condoms',
    condoms: '10',
    lubricants: '2',
    hivSelfTests: '0',
    note: '',
  };

  const staticFile = await run({ url: `${base}/static/app.css` });
  const bare = await run({ url: `${base}/health/live` });
  const health = await run({ url: `${base}/health` });
  const entry = await run({
    url: `${base}/clients/${clientId}/contacts`,
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    formFields,
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // the last requests in flight finish
  const saved: Array<{ n: string }> = await t.dataSource.query(
    'SELECT count(*) AS n FROM contact WHERE client_id = $1',
    [clientId],
  );

  const database = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite';
  console.log(
    `\nContact entry benchmark — ${database}, ${CONNECTIONS} connections, ${SECONDS} s each after ${WARM_UP_SECONDS} s of warm-up`,
  );
  console.table({
    'static file (before the middleware)': staticFile,
    'bare route (GET /health/live)': bare,
    'GET /health (one query)': health,
    'POST contact (session, CSRF, validation, insert, audit)': entry,
  });
  console.log(
    `contacts saved (warm-up included): ${saved[0].n}; entry/bare throughput: ${(entry.rps / bare.rps).toFixed(2)} (target ≥ 0.25; ` +
      `entry/static file: ${(entry.rps / staticFile.rps).toFixed(2)}); entry p99: ${entry.p99} ms (target < 150 ms)`,
  );
  await t.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
