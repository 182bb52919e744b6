import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { AssessmentsService } from '../../src/assessments/assessments.service';
import { cliContext } from '../../src/audit/audit.service';
import type { Client } from '../../src/clients/client.entity';
import { ClientsService } from '../../src/clients/clients.service';
import { ContactsService } from '../../src/contacts/contacts.service';
import { RetentionService, retentionJobContext } from '../../src/erasure/retention.service';
import { GroupSessionsService } from '../../src/groups/group-sessions.service';
import { GroupsService } from '../../src/groups/groups.service';
import type { PeerGroup } from '../../src/groups/peer-group.entity';
import { translate } from '../../src/i18n/i18n';
import { ReferralsService } from '../../src/referrals/referrals.service';
import {
  Agent,
  anOrganization,
  aPersona,
  createTestApp,
  loginAs,
  Persona,
  submit,
  TestApp,
  unique,
} from '../support/app';
import { cli, CliResult, queryCliDatabase } from '../support/cli';
import { actorOf, aUic, erase } from '../support/fixtures';

jest.setTimeout(240_000);

/*
 * The retention rule (MISSION §2 rule 8): a client whose last activity was on day L is kept through
 * L + 36 months and erased from the day after. The test moves the app's clock into the past, so that
 * only this file's clients (whose activity is in 2001–2002) are old enough: other files share the
 * PostgreSQL database in CI, and their clients are all recent.
 */
const REGISTERED = '2001-03-01';
const GROUP_FOUNDED = '2000-06-01';
/** The first run: 36 months after ON, to the day. */
const AS_OF = '2005-06-15';
/** Last activity one day before the cutoff of AS_OF, on it, and one day after it. */
const BEFORE = '2002-06-14';
const ON = '2002-06-15';
const AFTER = '2002-06-16';
const BOUNDARY_DAYS = [BEFORE, ON, AFTER] as const;
type BoundaryDay = (typeof BOUNDARY_DAYS)[number];

const PAGE = '/admin/retention';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};
const escaped = (text: string) => text.replace(/[&<>"'`=]/g, (c) => ESCAPES[c]);
const vi = (key: string, vars: Record<string, unknown> = {}) => escaped(translate('vi', key, vars));
/** dd/mm/yyyy, as pages show a day. */
const shown = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/** The dry-run table of the admin page: organization code → count. */
function previewCounts(html: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [, code, count] of html.matchAll(
    /<tr data-testid="retention-([^"]+)">[\s\S]*?data-testid="retention-count">(\d+)</g,
  )) {
    counts[code] = Number(count);
  }
  return counts;
}
const previewTotal = (html: string) => Number(/data-testid="retention-total">(\d+)</.exec(html)?.[1] ?? 0);
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

/** Every kind of activity that keeps a client, recorded on a day with the app's clock on that day. */
const KINDS = [
  'registration',
  'consent',
  'contact',
  'assessment',
  'referral made',
  'referral updated',
  'group attendance',
  'joining a group',
  'leaving a group',
] as const;
type Kind = (typeof KINDS)[number];

describe('retention: clients with no activity for RETENTION_MONTHS (default 36) are erased', () => {
  let t: TestApp;
  let admin: Persona;
  let manager: Persona;
  let worker: Persona;
  let coordinator: Persona;
  let otherWorker: Persona;
  let group: PeerGroup;
  /** Clients of the boundary cases, by kind of activity and day of that (last) activity. */
  const boundary = new Map<string, Client>();
  const at = (kind: Kind, day: BoundaryDay) => boundary.get(`${kind} ${day}`)!;
  /** Other organization: two clients with nothing since registration, one with a contact on AFTER. */
  let otherDormant: Client[];
  let otherKept: Client;
  /** Erased by a manager before any run: never counted again. */
  let erasedByHand: Client;
  /** Its only contact after registration (on AFTER) was deleted: it does not count. */
  let deletedContact: Client;

  /** Moves the app's clock to a time of a Hanoi day (noon unless told). */
  const setDay = (day: string, time = '12:00') => {
    t.clock.reset();
    t.clock.advance(Date.parse(`${day}T${time}:00+07:00`) - Date.now());
  };

  const ids = (clients: Client[]) => clients.map((c) => c.id);
  const statusOf = async (clients: Client[]): Promise<Record<string, string>> => {
    const rows: Array<{ id: string; status: string }> = await t.dataSource.query(
      `SELECT id, status FROM client WHERE id = ANY($1::uuid[])`,
      [ids(clients)],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.status]));
  };
  const expectStatus = async (clients: Client[], status: 'active' | 'erased') => {
    const found = await statusOf(clients);
    expect(clients.map((c) => `${c.id} ${found[c.id]}`)).toEqual(clients.map((c) => `${c.id} ${status}`));
  };
  const lastAuditId = async (): Promise<string> =>
    (await t.dataSource.query(`SELECT coalesce(max(id), 0)::text AS id FROM audit_event`))[0].id;
  const auditSince = (id: string, actions: string[]) =>
    t.dataSource.query(
      `SELECT action, actor_name, target_id, organization_id, details FROM audit_event
        WHERE id > $1 AND action = ANY($2::text[]) ORDER BY id`,
      [id, actions],
    ) as Promise<
      Array<{
        action: string;
        actor_name: string;
        target_id: string | null;
        organization_id: string | null;
        details: Record<string, unknown>;
      }>
    >;
  /** The erasures this file caused since an audit id: client id → organization. */
  const erasedSince = async (id: string, clients: Client[]) =>
    (await auditSince(id, ['client.erased']))
      .filter((row) => ids(clients).includes(row.target_id!))
      .map((row) => ({ clientId: row.target_id, reason: row.details.reason, actor: row.actor_name }));

  /** Registers a consenting client (first contact and consent days given), as the registration page does. */
  async function register(persona: Persona, firstContactDate: string, consentDate = firstContactDate) {
    for (;;) {
      const outcome = await t.app.get(ClientsService).register(actorOf(persona), cliContext(), {
        uic: aUic(),
        gender: 'female',
        birthYear: 1970 + randomInt(20),
        primaryDistrict: 'hoan-kiem',
        workSetting: 'street',
        firstContactDate,
        consentDate,
        confirmKnownElsewhere: true,
        submissionKey: randomUUID(),
      });
      if (outcome.kind === 'created') return outcome.client;
    }
  }

  async function addToGroup(client: Client, joinedOn: string) {
    const added = await t.app
      .get(GroupsService)
      .addMember(
        actorOf(manager),
        cliContext(),
        group,
        { kind: 'code', displayCode: client.displayCode! },
        { role: 'member', joinedOn, submissionKey: randomUUID() },
      );
    if (added.kind !== 'added') throw new Error(`Not added to the group: ${JSON.stringify(added)}`);
    return added.membership;
  }

  const contactOn = (client: Client, day: string) =>
    t.app.get(ContactsService).record(
      actorOf(worker),
      cliContext(),
      client,
      {
        contactDate: day,
        modality: 'venue',
        districtCode: 'hoan-kiem',
        topics: ['hiv_sti'],
        condoms: 1,
        lubricants: 0,
        hivSelfTests: 0,
        note: null,
      },
      randomUUID(),
    );

  const referralOn = (client: Client, day: string) =>
    t.app.get(ReferralsService).create(
      actorOf(worker),
      cliContext(),
      client,
      {
        domain: 'health',
        serviceType: 'hiv_testing',
        providerId: null,
        referredOn: day,
        appointmentOn: null,
        note: null,
      },
      randomUUID(),
    );

  /** A client whose last activity of `kind` was on `day` (everything else on REGISTERED). */
  async function aClientActiveOn(kind: Kind, day: string): Promise<Client> {
    if (kind === 'registration') {
      setDay(day);
      return register(worker, day);
    }
    if (kind === 'consent') {
      // Consent recorded later than the first contact (as when consent is renewed): its day counts.
      setDay(day);
      return register(worker, REGISTERED, day);
    }
    setDay(REGISTERED);
    const client = await register(worker, REGISTERED);
    const membership = ['group attendance', 'leaving a group'].includes(kind)
      ? await addToGroup(client, REGISTERED)
      : null;
    const referral = kind === 'referral updated' ? await referralOn(client, REGISTERED) : null;
    // Just after midnight in Hanoi (still the day before in UTC): the Hanoi day is the one that counts.
    setDay(day, kind === 'referral updated' ? '00:30' : '12:00');
    switch (kind) {
      case 'contact':
        await contactOn(client, day);
        break;
      case 'assessment':
        await t.app
          .get(AssessmentsService)
          .record(
            actorOf(worker),
            cliContext(),
            client.id,
            { assessedOn: day, answers: [{ domain: 'health', need: 'yes', eligible: 'yes' }], violence: null },
            randomUUID(),
          );
        break;
      case 'referral made':
        await referralOn(client, day);
        break;
      case 'referral updated':
        // Recorded on `day`, backdated: the status takes effect on the referral day, only the update is new.
        await t.app.get(ReferralsService).changeStatus(actorOf(worker), cliContext(), referral!.id, 1, {
          status: 'scheduled',
          statusOn: REGISTERED,
          appointmentOn: REGISTERED,
          verification: null,
          note: null,
        });
        break;
      case 'group attendance':
        await t.app.get(GroupSessionsService).record(
          actorOf(manager),
          cliContext(),
          group,
          {
            sessionDate: day,
            durationMinutes: 60,
            sessionType: 'regular_meeting',
            topics: ['hiv_sti'],
            attendance: [{ clientId: client.id, facilitated: false }],
            facilitatorUserIds: [],
            anonymousAttendees: 0,
            condoms: 0,
            lubricants: 0,
            hivSelfTests: 0,
            countsAsContact: false,
            note: null,
          },
          randomUUID(),
        );
        break;
      case 'joining a group':
        await addToGroup(client, day);
        break;
      case 'leaving a group':
        await t.app.get(GroupsService).recordLeaving(cliContext(), membership!, day);
        break;
    }
    return client;
  }

  /** Signs in at the current clock time (sessions idle out after 15 minutes of the app's clock). */
  const signIn = (persona: Persona): Promise<Agent> => loginAs(t, persona);

  const runFromPage = async (agent: Agent) => submit(agent, `${PAGE}/run`, { confirm: '1' }, PAGE);

  beforeAll(async () => {
    t = await createTestApp();
    const first = await anOrganization(t, 'Retention A – Trung tâm Đống Đa');
    const second = await anOrganization(t, 'Retention B – Nhóm tự lực Long Biên');
    admin = await aPersona(t, 'admin');
    manager = await aPersona(t, 'manager', { organizationId: first.id });
    worker = await aPersona(t, 'social_worker', { organizationId: first.id });
    coordinator = await aPersona(t, 'peer_coordinator', { organizationId: first.id });
    otherWorker = await aPersona(t, 'social_worker', { organizationId: second.id });

    setDay(REGISTERED);
    group = await t.app.get(GroupsService).create(
      actorOf(manager),
      cliContext(),
      {
        name: unique('Nhóm bạn giúp bạn'),
        kind: 'peer_group',
        districtCode: 'hoan-kiem',
        foundedOn: GROUP_FOUNDED,
        active: true,
        coordinatorIds: [],
      },
      randomUUID(),
    );
    for (const kind of KINDS) {
      for (const day of BOUNDARY_DAYS) boundary.set(`${kind} ${day}`, await aClientActiveOn(kind, day));
    }

    setDay(REGISTERED);
    otherDormant = [await register(otherWorker, REGISTERED), await register(otherWorker, '2000-09-30')];
    otherKept = await register(otherWorker, REGISTERED);
    erasedByHand = await register(otherWorker, REGISTERED);
    deletedContact = await register(worker, REGISTERED);
    setDay(AFTER);
    await t.app.get(ContactsService).record(
      actorOf(otherWorker),
      cliContext(),
      otherKept,
      {
        contactDate: AFTER,
        modality: 'venue',
        districtCode: 'long-bien',
        topics: [],
        condoms: 0,
        lubricants: 0,
        hivSelfTests: 0,
        note: null,
      },
      randomUUID(),
    );
    const removed = await contactOn(deletedContact, AFTER);
    await t.app.get(ContactsService).remove(actorOf(worker), cliContext(), removed.id);
    setDay(AS_OF);
    await erase(t, erasedByHand);
  });

  afterAll(async () => {
    t.clock.reset();
    await t.close();
  });

  const orgA = () => worker.organizationCode;
  const orgB = () => otherWorker.organizationCode;
  /**
   * The counts of this file's organizations. Totals are compared with totals (the dry run's with the
   * run's), never with this file's own clients alone: a database kept from an interrupted earlier run may
   * hold more old clients, which the dry run and the run both count.
   */
  const ours = (counts: Record<string, number>) =>
    Object.fromEntries(Object.entries(counts).filter(([code]) => [orgA(), orgB()].includes(code)));
  const everyBoundaryClient = () => [...boundary.values()];
  const boundaryOn = (day: BoundaryDay) => KINDS.map((kind) => at(kind, day));

  it('uses 36 months unless RETENTION_MONTHS says otherwise', () => {
    expect(t.app.get(RetentionService).months).toBe(36);
  });

  it('is reached by admins only: other roles get 403 and run nothing, a visitor is sent to sign in', async () => {
    setDay(AS_OF);
    const before = await lastAuditId();
    for (const persona of [manager, worker, coordinator]) {
      const agent = await signIn(persona);
      expect({ role: persona.role, status: (await agent.get(PAGE)).status }).toEqual({
        role: persona.role,
        status: 403,
      });
      const posted = await submit(agent, `${PAGE}/run`, { confirm: '1' }, '/');
      expect({ role: persona.role, status: posted.status }).toEqual({ role: persona.role, status: 403 });
      const home = await agent.get('/');
      expect(home.text).not.toContain(`href="${PAGE}"`);
    }
    const visitor = request(t.app.getHttpServer());
    const anonymous = await visitor.get(PAGE);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/login');

    expect(await auditSince(before, ['retention.run', 'retention.previewed', 'client.erased'])).toEqual([]);
    await expectStatus([...everyBoundaryClient(), ...otherDormant, otherKept, deletedContact], 'active');

    const adminHome = await (await signIn(admin)).get('/');
    expect(adminHome.text).toContain(`href="${PAGE}"`);
  });

  describe(`on ${AS_OF}, 36 months after ${ON} to the day`, () => {
    let agent: Agent;
    let page: string;
    let auditBefore: string;

    beforeAll(async () => {
      setDay(AS_OF);
      agent = await signIn(admin);
      auditBefore = await lastAuditId();
      const response = await agent.get(PAGE);
      expect(response.status).toBe(200);
      page = response.text;
    });

    it('the dry run shows the cutoff and, by organization, how many clients would be erased; it erases nothing', async () => {
      expect(page).toContain(vi('retention.intro', { months: 36 }));
      expect(page).toContain(vi('retention.cutoff', { asOf: shown(AS_OF), cutoff: shown(ON) }));
      // Last activity on BEFORE, in each kind, plus the one whose later contact was deleted; in the other
      // organization the two with nothing since registration. The one erased by hand is not counted again.
      expect(ours(previewCounts(page))).toEqual({ [orgA()]: KINDS.length + 1, [orgB()]: 2 });
      expect(previewTotal(page)).toBe(sum(previewCounts(page)));
      expect(page).toContain('Retention A – Trung tâm Đống Đa');
      expect(page).toContain('Retention B – Nhóm tự lực Long Biên');
      expect(page).not.toContain(`data-testid="retention-${admin.organizationCode}"`);
      // Counts only: no client is named.
      for (const client of [...everyBoundaryClient(), ...otherDormant, otherKept]) {
        expect(page).not.toContain(client.displayCode!);
      }
      expect(/<title>[^<]*<\/title>/.exec(page)![0]).not.toMatch(/\d/);

      await expectStatus([...everyBoundaryClient(), ...otherDormant, otherKept, deletedContact], 'active');
      const audit = await auditSince(auditBefore, ['retention.previewed', 'retention.run', 'client.erased']);
      expect(audit).toEqual([
        {
          action: 'retention.previewed',
          actor_name: admin.username,
          target_id: null,
          organization_id: admin.organizationId,
          details: { asOf: AS_OF, cutoff: ON, months: 36, total: previewTotal(page) },
        },
      ]);
    });

    it('refuses to run without the confirmation box ticked (422), erasing nothing', async () => {
      const before = await lastAuditId();
      const response = await submit(agent, `${PAGE}/run`, {}, PAGE);
      expect(response.status).toBe(422);
      expect(response.text).toContain(vi('retention.errors.confirm'));
      expect(await auditSince(before, ['retention.run', 'client.erased'])).toEqual([]);
      await expectStatus(boundaryOn(BEFORE), 'active');
    });

    it('the run erases exactly what the dry run counted: last activity before the cutoff, of every kind', async () => {
      const before = await lastAuditId();
      const response = await runFromPage(agent);
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(PAGE);
      const after = await agent.get(PAGE);
      expect(after.text).toContain(vi('retention.ran', { count: previewTotal(page) }));

      await expectStatus([...boundaryOn(BEFORE), ...otherDormant, deletedContact], 'erased');
      await expectStatus([...boundaryOn(ON), ...boundaryOn(AFTER), otherKept], 'active');

      const [run] = await auditSince(before, ['retention.run']);
      expect(run.actor_name).toBe(admin.username);
      expect(run.details).toMatchObject({ asOf: AS_OF, cutoff: ON, months: 36, erased: previewTotal(page) });
      const byOrganization = run.details.byOrganization as Array<{ organizationId: string; count: number }>;
      expect(sum(Object.fromEntries(byOrganization.map((o) => [o.organizationId, o.count])))).toBe(previewTotal(page));
      expect(byOrganization).toEqual(
        expect.arrayContaining([
          { organizationId: worker.organizationId, count: previewCounts(page)[orgA()] },
          { organizationId: otherWorker.organizationId, count: previewCounts(page)[orgB()] },
        ]),
      );
      const erasures = await erasedSince(before, [...everyBoundaryClient(), ...otherDormant, deletedContact]);
      expect(erasures.map((e) => e.clientId).sort()).toEqual(
        ids([...boundaryOn(BEFORE), ...otherDormant, deletedContact]).sort(),
      );
      expect(erasures.every((e) => e.reason === 'retention' && e.actor === admin.username)).toBe(true);
    });

    it('erases them the same way as on request: tombstones keep their facts, memberships end', async () => {
      const client = at('group attendance', BEFORE);
      const [row] = await t.dataSource.query(
        `SELECT status, uic_hash, display_code, data_key_cipher, organization_id, primary_district FROM client WHERE id = $1`,
        [client.id],
      );
      expect(row).toEqual({
        status: 'erased',
        uic_hash: null,
        display_code: null,
        data_key_cipher: null,
        organization_id: worker.organizationId,
        primary_district: 'hoan-kiem',
      });
      const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM group_attendance WHERE client_id = $1`, [
        client.id,
      ]);
      expect(n).toBe(1);
      const memberships = await t.dataSource.query(
        `SELECT to_char(left_on, 'YYYY-MM-DD') AS left_on FROM group_membership WHERE client_id = $1`,
        [client.id],
      );
      expect(memberships).toEqual([{ left_on: AS_OF }]);
      const contacts = await t.dataSource.query(`SELECT count(*)::int AS n FROM contact WHERE client_id = $1`, [
        at('contact', BEFORE).id,
      ]);
      expect(contacts).toEqual([{ n: 1 }]);
    });

    it('a second run the same day erases nothing more, and says so', async () => {
      const before = await lastAuditId();
      const response = await agent.get(PAGE);
      expect(previewCounts(response.text)).toEqual({});
      expect(response.text).toContain(vi('retention.none'));
      const counts = await t.app.get(RetentionService).run(retentionJobContext());
      expect(counts.total).toBe(0);
      const [run] = await auditSince(before, ['retention.run']);
      expect(run).toMatchObject({ actor_name: 'system:retention', details: { erased: 0, byOrganization: [] } });
      await expectStatus([...boundaryOn(ON), ...boundaryOn(AFTER), otherKept], 'active');
    });
  });

  describe('one day later, and two', () => {
    it(`on the day after (cutoff ${AFTER}): the clients last active on ${ON} are erased, by the scheduled job`, async () => {
      setDay('2005-06-16');
      const agent = await signIn(admin);
      const page = (await agent.get(PAGE)).text;
      expect(page).toContain(vi('retention.cutoff', { asOf: shown('2005-06-16'), cutoff: shown(AFTER) }));
      expect(ours(previewCounts(page))).toEqual({ [orgA()]: KINDS.length });

      const before = await lastAuditId();
      const counts = await t.app.get(RetentionService).run(retentionJobContext());
      expect(counts).toMatchObject({ asOf: '2005-06-16', cutoff: AFTER, months: 36, total: previewTotal(page) });
      expect(Object.fromEntries(counts.organizations.map((o) => [o.code, o.count]))).toEqual(previewCounts(page));
      await expectStatus(boundaryOn(ON), 'erased');
      await expectStatus([...boundaryOn(AFTER), otherKept], 'active');

      const [run] = await auditSince(before, ['retention.run']);
      expect(run).toMatchObject({
        actor_name: 'system:retention',
        organization_id: null,
        details: { asOf: '2005-06-16', cutoff: AFTER, erased: previewTotal(page) },
      });
      const erasures = await erasedSince(before, everyBoundaryClient());
      expect(erasures.map((e) => e.clientId).sort()).toEqual(ids(boundaryOn(ON)).sort());
      expect(erasures.every((e) => e.reason === 'retention' && e.actor === 'system:retention')).toBe(true);
    });

    it(`two days after (cutoff 2002-06-17): the clients last active on ${AFTER} are erased`, async () => {
      setDay('2005-06-17');
      const agent = await signIn(admin);
      const page = (await agent.get(PAGE)).text;
      expect(ours(previewCounts(page))).toEqual({ [orgA()]: KINDS.length, [orgB()]: 1 });
      expect((await runFromPage(agent)).status).toBe(303);
      await expectStatus([...everyBoundaryClient(), ...otherDormant, otherKept, deletedContact], 'erased');
      expect(previewCounts((await agent.get(PAGE)).text)).toEqual({});
    });
  });
});

describe('retention from the command line: npm run cli -- retention:run [--dry-run]', () => {
  const RAW = { old: 'la ho f 71 q', older: 'ma nu f 72 h', recent: 'ba tu f 93 k' };
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let org: string;

  const rowsOf = <T>(sql: string, params: unknown[] = []) => queryCliDatabase<T>(dataDir, sql, params);
  const clientsOfOrg = () =>
    rowsOf<{ id: string; status: string; first_contact_date: string; uic_hash: string | null }>(
      `SELECT c.id, c.status, c.uic_hash, to_char(c.first_contact_date, 'YYYY-MM-DD') AS first_contact_date
         FROM client c JOIN organization o ON o.id = c.organization_id WHERE o.code = $1 ORDER BY c.first_contact_date`,
      [org],
    );
  const orgLine = (res: CliResult) => new RegExp(`^  ${org}\\t(\\d+)$`, 'm').exec(res.stdout)?.[1];
  const totalOf = (res: CliResult, verb: string) => Number(new RegExp(`^${verb}: (\\d+)$`, 'm').exec(res.stdout)?.[1]);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'nc-retention-'));
    // The command line runs on the real clock: 240 months (the most allowed) reach back to the 2000s
    // only, so that nothing of the other test files, sharing the database in CI, is old enough.
    env = { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'test', RETENTION_MONTHS: '240' };
    org = unique('ret-org');
    expect((await cli(env, ['org:create', '--code', org, '--name', 'Tổ chức thời hạn lưu trữ'])).code).toBe(0);
    const file = join(dataDir, 'clients.csv');
    writeFileSync(
      file,
      [
        'uic,gender,birth_year,district,work_setting,first_contact_date,consent_date',
        `${RAW.old},female,1971,ba-dinh,street,2001-01-05,2001-01-05`,
        `${RAW.older},female,1972,ba-dinh,street,2000-02-01,2000-02-01`,
        `${RAW.recent},female,1993,ba-dinh,street,2024-05-02,2024-05-02`,
        '',
      ].join('\n'),
    );
    const imported = await cli(env, ['import', 'clients', file, '--org', org]);
    expect(imported.code).toBe(0);
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the dry run prints the counts by organization code and erases nothing; audited as the OS user', async () => {
    const dry = await cli(env, ['retention:run', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Retention: 240 months; clients with no activity since before \d{4}-\d\d-\d\d/);
    expect(orgLine(dry)).toBe('2');
    expect(totalOf(dry, 'Would erase')).toBeGreaterThanOrEqual(2);
    expect((await clientsOfOrg()).map((c) => c.status)).toEqual(['active', 'active', 'active']);
    const [audit] = await rowsOf<{ actor_name: string; details: Record<string, unknown> }>(
      `SELECT actor_name, details FROM audit_event WHERE action = 'retention.previewed' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.actor_name).toMatch(/^cli:/);
    expect(audit.details).toMatchObject({ months: 240 });
  });

  it('the run erases what the dry run counted, the recent client stays, never printing a code', async () => {
    const dry = await cli(env, ['retention:run', '--dry-run']);
    const run = await cli(env, ['retention:run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(orgLine(run)).toBe(orgLine(dry));
    expect(totalOf(run, 'Erased')).toBe(totalOf(dry, 'Would erase'));
    expect(run.stdout).not.toMatch(/LAHOF71Q|MANUF72H|[A-Z0-9]{3}-[A-Z0-9]{3}/);

    const clients = await clientsOfOrg();
    expect(clients.map((c) => [c.first_contact_date, c.status, c.uic_hash === null])).toEqual([
      ['2000-02-01', 'erased', true],
      ['2001-01-05', 'erased', true],
      ['2024-05-02', 'active', false],
    ]);
    const [audit] = await rowsOf<{ actor_name: string; details: Record<string, unknown> }>(
      `SELECT actor_name, details FROM audit_event WHERE action = 'retention.run' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.actor_name).toMatch(/^cli:/);
    expect(audit.details).toMatchObject({ months: 240, erased: totalOf(run, 'Erased') });
    const erasures = await rowsOf<{ target_id: string; details: { reason: string } }>(
      `SELECT target_id, details FROM audit_event WHERE action = 'client.erased' AND target_id = ANY($1::text[])`,
      [clients.map((c) => c.id)],
    );
    expect(erasures.map((e) => [e.target_id, e.details.reason]).sort()).toEqual(
      [
        [clients[0].id, 'retention'],
        [clients[1].id, 'retention'],
      ].sort(),
    );

    const again = await cli(env, ['retention:run']);
    expect(again.code).toBe(0);
    expect(orgLine(again)).toBeUndefined();
  });

  it('refuses an unknown option with its usage (exit 2), erasing nothing', async () => {
    const res = await cli(env, ['retention:run', '--force']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('retention:run [--dry-run]');
    expect((await clientsOfOrg()).filter((c) => c.status === 'active')).toHaveLength(1);
  });
});
