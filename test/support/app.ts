import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { authenticator } from 'otplib';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { cliContext } from '../../src/audit/audit.service';
import type { Role } from '../../src/auth/permissions';
import { ROLES_REQUIRING_TOTP } from '../../src/auth/permissions';
import { Clock } from '../../src/clock/clock';
import { createLogger, PinoNestLogger } from '../../src/logging/logger';
import { OrganizationsService } from '../../src/organizations/organizations.service';
import { FieldCipher } from '../../src/privacy/field-cipher';
import { UsersService } from '../../src/users/users.service';
import { FakeClock } from './fake-clock';

export interface TestApp {
  app: NestExpressApplication;
  clock: FakeClock;
  /** Every log line the app wrote (to check that nothing sensitive is logged). */
  logLines: string[];
  dataSource: DataSource;
  close: () => Promise<void>;
}

/** The real app (same middleware as `main.ts`) with a clock the test controls. */
export async function createTestApp(): Promise<TestApp> {
  const clock = new FakeClock();
  const logLines: string[] = [];
  const logger = createLogger('info', {
    write: (line: string) => {
      logLines.push(line);
      // Unexpected server errors are shown in the test output, where they help most.
      if (line.includes('"level":50')) process.stderr.write(line);
    },
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({
    logger: new PinoNestLogger(logger),
    bodyParser: false,
  });
  await configureApp(app, logger);
  // Test files run side by side on one PostgreSQL database in CI, all from 127.0.0.1. Each app
  // gets its own client address (as behind a proxy) so that the failed sign-ins of one file never
  // lock another file's browser or agents out by address, and no file clears another's counters.
  const address = testAddress();
  app.set('trust proxy', 'loopback');
  app.use((req: { headers: Record<string, string | string[] | undefined> }, _res: unknown, next: () => void) => {
    req.headers['x-forwarded-for'] ??= address;
    next();
  });
  await app.init();
  return { app, clock, logLines, dataSource: app.get(DataSource), close: () => app.close() };
}

/** A random address in the documentation range 2001:db8::/32, one per test app. */
const testAddress = () => `2001:db8:${randomBytes(6).toString('hex').match(/..../g)!.join(':')}::1`;

/** A short random suffix so tests sharing one PostgreSQL database never collide. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export interface Persona {
  username: string;
  password: string;
  role: Role;
  userId: string;
  organizationId: string;
  organizationCode: string;
  /** TOTP secret for admins and managers (enrolled at creation). */
  totpSecret?: string;
}

export async function anOrganization(t: TestApp, name = 'Test organization') {
  return t.app.get(OrganizationsService).create(cliContext(), { code: unique('org'), name });
}

/** A user with a known password; admins and managers come enrolled in two-factor unless told not to. */
export async function aPersona(
  t: TestApp,
  role: Role,
  options: { organizationId?: string; enrolTotp?: boolean; temporaryPassword?: boolean } = {},
): Promise<Persona> {
  const organization = options.organizationId
    ? await t.app.get(OrganizationsService).get(options.organizationId)
    : await anOrganization(t);
  const username = unique(role.replace('_', '')).toLowerCase();
  const password = 'a-long-test-password';
  const users = t.app.get(UsersService);
  const { user } = await users.create(cliContext(), {
    username,
    role,
    organizationId: organization.id,
    password: options.temporaryPassword ? undefined : password,
  });
  let totpSecret: string | undefined;
  if (ROLES_REQUIRING_TOTP.includes(role) && options.enrolTotp !== false) {
    totpSecret = authenticator.generateSecret();
    await users.enableTotp(cliContext(), user.id, t.app.get(FieldCipher).encrypt(totpSecret), new Date());
  }
  return {
    username,
    password,
    role,
    userId: user.id,
    organizationId: organization.id,
    organizationCode: organization.code,
    totpSecret,
  };
}

/** The CSRF token of a rendered page. */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token in page');
  return match[1];
}

export type Agent = ReturnType<typeof request.agent>;

/** A fresh token for the agent's current session, read from a page it may open. */
export async function tokenFor(agent: Agent, path = '/login'): Promise<string> {
  const page = await agent.get(path);
  return csrfTokenIn(page.text);
}

/** Posts a form the way a browser does: urlencoded, with the session's CSRF token. */
export async function submit(
  agent: Agent,
  path: string,
  fields: Record<string, string | string[]>,
  tokenPage = '/login',
) {
  const token = await tokenFor(agent, tokenPage);
  return agent
    .post(path)
    .type('form')
    .send({ ...fields, _csrf: token });
}

/** Signs a persona in through the real pages (password, then the second factor when enrolled). */
export async function loginAs(t: TestApp, persona: Persona): Promise<Agent> {
  const agent = request.agent(t.app.getHttpServer());
  const response = await submit(agent, '/login', { username: persona.username, password: persona.password });
  if (response.status !== 303) throw new Error(`Sign-in failed for ${persona.username}: ${response.status}`);
  if (response.headers.location === '/login/totp') {
    const done = await submit(
      agent,
      '/login/totp',
      { code: authenticator.generate(persona.totpSecret!) },
      '/login/totp',
    );
    if (done.status !== 303) throw new Error(`Second factor failed for ${persona.username}: ${done.status}`);
  }
  return agent;
}
