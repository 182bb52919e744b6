import request from 'supertest';
import { ROLE_PERMISSIONS, ROLES, Role } from '../../src/auth/permissions';
import { aPersona, Agent, anOrganization, createTestApp, loginAs, TestApp, tokenFor } from '../support/app';
import { describeRule, listRoutes, refusalFor, RouteInfo } from '../support/routes';

/** A concrete URL for a route pattern: parameters get a well-formed id that matches nothing. */
const concrete = (path: string) => path.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');

/**
 * Permissions that open an option of a guarded route rather than a route of their own, each refused in
 * its handler with a message and tested there: the unsuppressed choice of POST /indicators/export
 * (test/e2e/indicators.e2e-spec.ts).
 */
const OPTIONS_OF_A_ROUTE: string[] = ['indicators:unsuppressed'];

describe('route access', () => {
  let t: TestApp;
  let routes: RouteInfo[];
  const agents = new Map<Role, Agent>();

  beforeAll(async () => {
    t = await createTestApp();
    routes = listRoutes(t.app);
    const organization = await anOrganization(t);
    for (const role of ROLES) {
      agents.set(role, await loginAs(t, await aPersona(t, role, { organizationId: organization.id })));
    }
  });
  afterAll(() => t.close());

  it('lists every route with its access rule (a diff here is a permission change to review)', () => {
    expect(routes.map((r) => `${r.method.padEnd(6)} ${r.path} -> ${describeRule(r.rule)}`)).toMatchSnapshot();
  });

  it('declares a rule on every route', () => {
    expect(routes.filter((r) => !r.rule).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it('keeps the role matrix and the routes in step: every permission guards at least one route', () => {
    const used = new Set(routes.flatMap((r) => (r.rule?.kind === 'permission' ? r.rule.permissions : [])));
    const granted = new Set(Object.values(ROLE_PERMISSIONS).flat());
    expect([...granted].filter((p) => !used.has(p) && !OPTIONS_OF_A_ROUTE.includes(p))).toEqual([]);
  });

  it('sends anonymous visitors of every non-public route to the sign-in page', async () => {
    for (const route of routes.filter((r) => r.rule?.kind !== 'public')) {
      const agent = request.agent(t.app.getHttpServer());
      const token = await tokenFor(agent, '/login');
      const call =
        route.method === 'GET'
          ? agent.get(concrete(route.path))
          : agent.post(concrete(route.path)).type('form').send({ _csrf: token });
      const res = await call;
      expect({ route: `${route.method} ${route.path}`, status: res.status, location: res.headers.location }).toEqual({
        route: `${route.method} ${route.path}`,
        status: 303,
        location: '/login',
      });
    }
  });

  // A route naming a record (a path parameter) never confirms that the record exists: 404, as outside one's scope.
  it('answers 403 to every role that lacks a route’s permission, and 404 on a route that names a record', async () => {
    for (const route of routes.filter((r) => r.rule?.kind === 'permission')) {
      const needed = route.rule!.kind === 'permission' ? route.rule!.permissions : [];
      for (const role of ROLES.filter((r) => !needed.every((p) => ROLE_PERMISSIONS[r].includes(p)))) {
        const agent = agents.get(role)!;
        const res =
          route.method === 'GET'
            ? await agent.get(concrete(route.path))
            : await agent
                .post(concrete(route.path))
                .type('form')
                .send({ _csrf: await tokenFor(agent, '/') });
        expect({ route: `${route.method} ${route.path}`, role, status: res.status }).toEqual({
          route: `${route.method} ${route.path}`,
          role,
          status: refusalFor(route.path),
        });
      }
    }
  });

  it('shows each role only the menu entries it may open', async () => {
    const expected: Record<Role, string[]> = {
      admin: ['/admin/users', '/admin/organizations', '/admin/providers', '/admin/districts', '/audit'],
      manager: ['/clients', '/contacts', '/groups', '/referrals/follow-up', '/review/referrals', '/imports', '/audit'],
      social_worker: ['/clients', '/contacts', '/groups', '/referrals/follow-up', '/imports'],
      peer_coordinator: ['/groups'],
    };
    const menu = [
      '/clients',
      '/contacts',
      '/groups',
      '/referrals/follow-up',
      '/review/referrals',
      '/imports',
      '/admin/users',
      '/admin/organizations',
      '/admin/providers',
      '/admin/districts',
      '/audit',
    ];
    for (const role of ROLES) {
      const home = await agents.get(role)!.get('/').expect(200);
      for (const href of menu) {
        expect({ role, href, shown: home.text.includes(`href="${href}"`) }).toEqual({
          role,
          href,
          shown: expected[role].includes(href),
        });
      }
    }
  });
});
