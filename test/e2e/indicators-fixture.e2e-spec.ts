import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedDatabase } from '../../src/database/embedded';
import { namedPeriod } from '../../src/indicators/indicator-period';
import { cliContext } from '../../src/audit/audit.service';
import { ClientErasureService } from '../../src/erasure/erasure.service';
import { IndicatorsService } from '../../src/indicators/indicators.service';
import { anOrganization, createTestApp, TestApp, unique } from '../support/app';
import { cli, queryCliDatabase } from '../support/cli';
import { randomLetters } from '../support/fixtures';

jest.setTimeout(180_000);

type Query = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * A hand-built program where every edge of MISSION §5 is present, for the first half of 2026
 * (S = 2026-01-01, E = 2026-06-30), in organization A (B is another organization). Districts: ba-dinh
 * and hoan-kiem. Facts are written with plain SQL (as an import or a migration would), so the
 * indicator tables are filled by the database's own triggers.
 *
 *  c1 ba-dinh   two contacts on 10/02 (same day: one client-day), one on 05/03 in hoan-kiem (a contact
 *               in another district than the client's); health need yes/yes from 15/01; a health
 *               referral made 20/03, completed 01/04.
 *  c2 ba-dinh   contact 01/05; legal yes/yes 10/01 withdrawn by legal no/yes on 01/03 (a later assessment
 *               withdrawing a need); health yes/yes on 10/07 (an assessment after E); a legal referral
 *               made 20/01, completed 01/02 (completed in a domain no longer needed at E).
 *  c3 hoan-kiem contact 30/06 (E itself); psychosocial yes/unknown (eligible unknown: no need) and health
 *               yes/yes on 01/02; health referrals completed 20/12/2025 (before S) and 05/07 (after E).
 *  c4 hoan-kiem contact 01/01 (S itself) and a deleted contact 02/02; never assessed (reached, no need).
 *  c5 ba-dinh   ERASED (a tombstone): contact 10/03, vocational yes/yes 05/01, vocational referral made
 *               12/03, completed 20/03 — still counts.
 *  c6 ba-dinh   only contact 31/12/2025 (before S): not reached; health yes/yes and a health referral
 *               made 01/02, completed 01/03 (counts as a referral, not in the access rate).
 *  c7 ba-dinh   contact 04/04; two assessments on 02/01: health no/no then (recorded later) health
 *               yes/yes — the later one is in force; an employment referral made 04/04, completed 01/05
 *               (a domain not needed); a health referral made 01/06, still `referred`.
 *  b1 (org B)   contact 10/02, health yes/yes, health referral completed 01/03: never in A's figures.
 *
 * Peer groups (issue #6), by the group's district: group G (hoan-kiem) meets 01/03 (c1, c3 came), 01/04
 * (c1 and c5, erased since), 01/05 (c4 came, session deleted) and 02/07 (after E, c7 came); group H
 * (ba-dinh) meets 15/02 (c1 came: a member of groups in two districts counts once overall); org B's group
 * meets 10/02 (b1).
 */
async function buildFixture(query: Query, orgA: string, orgB: string): Promise<string[]> {
  const client = async (org: string, district: string): Promise<string> => {
    const rows = (await query(
      `INSERT INTO client (organization_id, uic_hash, display_code, gender, birth_year, primary_district, work_setting,
                           first_contact_date, consent_date, consent_notice_version, status)
       VALUES ($1, $2, $3, 'female', 1990, $4, 'street', '2025-06-01', '2025-06-01', '2026-01', 'active') RETURNING id`,
      [org, randomBytes(32).toString('hex'), `${randomLetters(3)}-${randomLetters(3)}`, district],
    )) as Array<{ id: string }>;
    return rows[0].id;
  };
  const contact = (clientId: string, org: string, day: string, district: string, deleted = false) =>
    query(
      `INSERT INTO contact (client_id, organization_id, contact_date, modality, district_code, source, deleted_at)
       VALUES ($1, $2, $3, 'street', $4, 'import', $5)`,
      [clientId, org, day, district, deleted ? new Date() : null],
    );
  let recorded = Date.parse('2026-07-20T00:00:00Z');
  const assess = async (clientId: string, org: string, day: string, answers: Array<[string, string, string]>) => {
    recorded += 60_000; // recorded one after the other: the order decides between same-day assessments
    const rows = (await query(
      `INSERT INTO needs_assessment (client_id, organization_id, assessed_on, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
      [clientId, org, day, new Date(recorded)],
    )) as Array<{ id: string }>;
    for (const [domain, need, eligible] of answers)
      await query(
        `INSERT INTO needs_assessment_domain (assessment_id, domain, client_id, assessed_on, need, eligible)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [rows[0].id, domain, clientId, day, need, eligible],
      );
  };
  const refer = (
    clientId: string,
    org: string,
    domain: string,
    serviceType: string,
    referredOn: string,
    completedOn: string | null,
  ) =>
    query(
      `INSERT INTO referral (client_id, organization_id, domain, service_type, referred_on, status, status_on,
                             completed_on, last_activity_at, source)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), 'import')`,
      [
        clientId,
        org,
        domain,
        serviceType,
        referredOn,
        completedOn ? 'completed' : 'referred',
        completedOn ?? referredOn,
        completedOn,
      ],
    );

  const c1 = await client(orgA, 'ba-dinh');
  await contact(c1, orgA, '2026-02-10', 'ba-dinh');
  await contact(c1, orgA, '2026-02-10', 'ba-dinh');
  await contact(c1, orgA, '2026-03-05', 'hoan-kiem');
  await assess(c1, orgA, '2026-01-15', [['health', 'yes', 'yes']]);
  await refer(c1, orgA, 'health', 'hiv_testing', '2026-03-20', '2026-04-01');

  const c2 = await client(orgA, 'ba-dinh');
  await contact(c2, orgA, '2026-05-01', 'ba-dinh');
  await assess(c2, orgA, '2026-01-10', [['legal', 'yes', 'yes']]);
  await assess(c2, orgA, '2026-03-01', [['legal', 'no', 'yes']]);
  await assess(c2, orgA, '2026-07-10', [['health', 'yes', 'yes']]);
  await refer(c2, orgA, 'legal', 'legal_aid', '2026-01-20', '2026-02-01');

  const c3 = await client(orgA, 'hoan-kiem');
  await contact(c3, orgA, '2026-06-30', 'hoan-kiem');
  await assess(c3, orgA, '2026-02-01', [
    ['psychosocial', 'yes', 'unknown'],
    ['health', 'yes', 'yes'],
  ]);
  await refer(c3, orgA, 'health', 'sti_care', '2025-12-01', '2025-12-20');
  await refer(c3, orgA, 'health', 'sti_care', '2026-06-25', '2026-07-05');

  const c4 = await client(orgA, 'hoan-kiem');
  await contact(c4, orgA, '2026-01-01', 'hoan-kiem');
  await contact(c4, orgA, '2026-02-02', 'hoan-kiem', true);

  const c5 = await client(orgA, 'ba-dinh');
  await contact(c5, orgA, '2026-03-10', 'ba-dinh');
  await assess(c5, orgA, '2026-01-05', [['vocational', 'yes', 'yes']]);
  await refer(c5, orgA, 'vocational', 'training_course', '2026-03-12', '2026-03-20');
  // The tombstone an erasure leaves: no code, no display code, no alias, no data key.
  await query(
    `UPDATE client SET status = 'erased', erased_at = now(), uic_hash = NULL, display_code = NULL, alias_cipher = NULL, data_key_cipher = NULL
      WHERE id = $1`,
    [c5],
  );

  const c6 = await client(orgA, 'ba-dinh');
  await contact(c6, orgA, '2025-12-31', 'ba-dinh');
  await assess(c6, orgA, '2025-12-31', [['health', 'yes', 'yes']]);
  await refer(c6, orgA, 'health', 'prep', '2026-02-01', '2026-03-01');

  const c7 = await client(orgA, 'ba-dinh');
  await contact(c7, orgA, '2026-04-04', 'ba-dinh');
  await assess(c7, orgA, '2026-01-02', [['health', 'no', 'no']]);
  await assess(c7, orgA, '2026-01-02', [['health', 'yes', 'yes']]);
  await refer(c7, orgA, 'employment', 'job_placement', '2026-04-04', '2026-05-01');
  await refer(c7, orgA, 'health', 'hiv_testing', '2026-06-01', null);

  const b1 = await client(orgB, 'ba-dinh');
  await contact(b1, orgB, '2026-02-10', 'ba-dinh');
  await assess(b1, orgB, '2026-01-10', [['health', 'yes', 'yes']]);
  await refer(b1, orgB, 'health', 'hiv_testing', '2026-02-01', '2026-03-01');

  const group = async (org: string, district: string): Promise<string> => {
    const rows = (await query(
      `INSERT INTO peer_group (organization_id, name, kind, district_code, founded_on)
       VALUES ($1, $2, 'peer_group', $3, '2025-01-01') RETURNING id`,
      [org, `Nhóm ${district}`, district],
    )) as Array<{ id: string }>;
    return rows[0].id;
  };
  const session = async (groupId: string, org: string, day: string, came: string[], deleted = false) => {
    const rows = (await query(
      `INSERT INTO group_session (group_id, organization_id, session_date, duration_minutes, session_type, recorded_by, deleted_at)
       VALUES ($1, $2, $3, 60, 'regular_meeting', gen_random_uuid(), $4) RETURNING id`,
      [groupId, org, day, deleted ? new Date() : null],
    )) as Array<{ id: string }>;
    for (const clientId of came)
      await query(`INSERT INTO group_attendance (session_id, client_id) VALUES ($1, $2)`, [rows[0].id, clientId]);
  };
  const g = await group(orgA, 'hoan-kiem');
  await session(g, orgA, '2026-03-01', [c1, c3]);
  await session(g, orgA, '2026-04-01', [c1, c5]);
  await session(g, orgA, '2026-05-01', [c4], true);
  await session(g, orgA, '2026-07-02', [c7]);
  const h = await group(orgA, 'ba-dinh');
  await session(h, orgA, '2026-02-15', [c1]);
  await session(await group(orgB, 'ba-dinh'), orgB, '2026-02-10', [b1]);
  return [c1, c2, c3, c4, c6, c7];
}

/** The figures worked out by hand from the fixture (unsuppressed): [numerator, denominator] per row. */
const EXPECTED: Record<string, [number, number | null]> = {
  // Client-days: c1 ×2 (10/02 once, 05/03), c2, c3, c4 (the deleted contact not counted), c5, c7.
  'reach_contacts|ALL|ALL': [7, null],
  // By the contact's district: ba-dinh c1 10/02, c2, c5, c7; hoan-kiem c1 05/03, c3, c4.
  'reach_contacts|ba-dinh|ALL': [4, null],
  'reach_contacts|hoan-kiem|ALL': [3, null],
  // c1 c2 c3 c4 c5 c7 (c6 only before S); by the client's primary district.
  'reached_clients|ALL|ALL': [6, null],
  'reached_clients|ba-dinh|ALL': [4, null],
  'reached_clients|hoan-kiem|ALL': [2, null],
  // Needing on E: c1 health, c3 health, c5 vocational, c7 health; used: c1 (health 01/04), c5 (03/20).
  'access_rate|ALL|ALL': [2, 4],
  'access_rate|ALL|health': [1, 3],
  'access_rate|ALL|vocational': [1, 1],
  'access_rate|ALL|legal': [0, 0],
  'access_rate|ALL|psychosocial': [0, 0],
  'access_rate|ALL|employment': [0, 0],
  'access_rate|ALL|credit': [0, 0],
  'access_rate|ba-dinh|ALL': [2, 3],
  'access_rate|ba-dinh|health': [1, 2],
  'access_rate|ba-dinh|vocational': [1, 1],
  'access_rate|hoan-kiem|ALL': [0, 1],
  'access_rate|hoan-kiem|health': [0, 1],
  // Referred in [S, E]: c1, c2, c3 (25/06), c5, c6, c7 ×2; c3's of 01/12/2025 is before S.
  'referrals_made|ALL|ALL': [7, null],
  'referrals_made|ba-dinh|ALL': [6, null],
  'referrals_made|hoan-kiem|ALL': [1, null],
  // Completed in [S, E]: c1 01/04, c2 01/02, c5 20/03, c6 01/03, c7 01/05 (c3's before S and after E not).
  'referrals_completed|ALL|ALL': [5, null],
  'referrals_completed|ba-dinh|ALL': [5, null],
  'referrals_completed|hoan-kiem|ALL': [0, null],
  // Live sessions in [S, E]: G 01/03 and 01/04 (01/05 deleted, 02/07 after E), H 15/02.
  'group_sessions|ALL|ALL': [3, null],
  'group_sessions|hoan-kiem|ALL': [2, null],
  'group_sessions|ba-dinh|ALL': [1, null],
  // Members who came: c1, c3, c5 (erased: still counts); c1 once overall though in both groups.
  'group_members_reached|ALL|ALL': [3, null],
  'group_members_reached|hoan-kiem|ALL': [3, null],
  'group_members_reached|ba-dinh|ALL': [1, null],
};

const valueOf = ([numerator, denominator]: [number, number | null]) =>
  denominator === null ? String(numerator) : denominator === 0 ? '' : (numerator / denominator).toFixed(4);

/** Every expected row as the export writes it; any other row of the export must be all zeros. */
function checkExport(csv: string, start: string, end: string) {
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  expect(header).toBe('indicator,period_start,period_end,district,domain,numerator,denominator,value');
  const rows = lines.map((line) => line.split(','));
  const districts = new Set(rows.map((r) => r[3]));
  expect(districts.size).toBeGreaterThanOrEqual(31); // ALL and every district of the geography
  expect(rows).toHaveLength(districts.size * 13); // zero rows included
  for (const [indicator, periodStart, periodEnd, district, domain, numerator, denominator, value] of rows) {
    expect([periodStart, periodEnd]).toEqual([start, end]);
    const expected = EXPECTED[`${indicator}|${district}|${domain}`];
    const isRate = indicator === 'access_rate';
    const [num, den] = expected ?? [0, isRate ? 0 : null];
    expect({ indicator, district, domain, numerator, denominator, value }).toEqual({
      indicator,
      district,
      domain,
      numerator: String(num),
      denominator: den === null ? '' : String(den),
      value: valueOf([num, den]),
    });
  }
}

describe('indicators on a hand-built fixture (MISSION §5)', () => {
  let t: TestApp;
  let orgA: { id: string; code: string };
  let activeClients: string[];

  beforeAll(async () => {
    t = await createTestApp();
    orgA = await anOrganization(t);
    const orgB = await anOrganization(t);
    activeClients = await buildFixture((sql, params) => t.dataSource.query(sql, params), orgA.id, orgB.id);
  });
  afterAll(() => t?.close());

  it('computes every figure exactly as worked out by hand', async () => {
    const service = t.app.get(IndicatorsService);
    const scope = await service.scopeFor('program', orgA.id);
    const { table } = await service.figures(scope, namedPeriod('2026-H1')!, true);
    for (const [key, expected] of Object.entries(EXPECTED)) {
      const [indicator, district, domain] = key.split('|');
      const f = table.get(indicator, district, domain);
      expect({ key, numerator: f.numerator, denominator: f.denominator, value: f.value }).toEqual({
        key,
        numerator: String(expected[0]),
        denominator: expected[1] === null ? '' : String(expected[1]),
        value: valueOf(expected),
      });
    }
    // A district with nothing is a row of zeros, not a missing row.
    expect(table.get('reach_contacts', 'tay-ho').value).toBe('0');
    expect(table.get('access_rate', 'tay-ho', 'health').value).toBe('');
  });

  it('gives the same figures through the command line, unsuppressed with a reason', async () => {
    let dataDir: string | null = null;
    let env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test' };
    let code = orgA.code;
    if (!process.env.DATABASE_URL) {
      // The embedded database of the tests lives in memory: the command line gets its own copy of the fixture.
      dataDir = mkdtempSync(join(tmpdir(), 'nc-indicators-'));
      env = { ...env, DATA_DIR: dataDir };
      code = unique('org-a');
      expect((await cli(env, ['org:create', '--code', code, '--name', 'A'])).code).toBe(0);
      const db = await openEmbeddedDatabase(dataDir);
      try {
        const query: Query = (sql, params) => db.pglite.query(sql, params).then((r) => r.rows);
        const [a] = (await query('SELECT id FROM organization WHERE code = $1', [code])) as Array<{ id: string }>;
        const [b] = (await query(`INSERT INTO organization (code, name) VALUES ($1, 'B') RETURNING id`, [
          unique('org-b'),
        ])) as Array<{ id: string }>;
        await buildFixture(query, a.id, b.id);
      } finally {
        await db.close();
      }
    }
    try {
      const args = ['indicators', '--from', '2026-01-01', '--to', '2026-06-30', '--org', code];
      const result = await cli(env, [...args, '--unsuppressed', '--reason', 'Checking the definitions by hand']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      checkExport(result.stdout, '2026-01-01', '2026-06-30');

      // Suppressed by default: every count from 1 to 4 is hidden, with its complements.
      const suppressed = await cli(env, args);
      expect(suppressed.code).toBe(0);
      const lines = suppressed.stdout
        .trim()
        .split(/\r?\n/)
        .slice(1)
        .map((l) => l.split(','));
      const line = (indicator: string, district: string, domain = 'ALL') =>
        lines.find((l) => l[0] === indicator && l[3] === district && l[4] === domain)!;
      expect(line('reach_contacts', 'ALL')).toEqual(expect.arrayContaining(['7']));
      expect(line('reach_contacts', 'ba-dinh').slice(5)).toEqual(['<5', '', '<5']);
      expect(line('access_rate', 'ba-dinh').slice(5)).toEqual(['<5', '<5', '<5']);
      expect(suppressed.stdout).not.toMatch(/,(1|2|3|4),/);

      const audit = await queryCliDatabase<{ details: Record<string, unknown> }>(
        dataDir ?? '',
        `SELECT details FROM audit_event WHERE action = 'indicators.exported' ORDER BY id DESC LIMIT 2`,
      );
      expect(audit.map((a) => a.details.suppressed)).toEqual([true, false]);
      expect(audit[1].details.reasonCipher).toEqual(expect.any(String));
      expect(JSON.stringify(audit)).not.toContain('Checking the definitions');
    } finally {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives the same figures after the other clients are erased through the erasure service (§5)', async () => {
    const service = t.app.get(IndicatorsService);
    const scope = await service.scopeFor('program', orgA.id);
    const figures = async () => {
      const [h1, year] = await Promise.all([
        service.figures(scope, namedPeriod('2026-H1')!, true),
        service.figures(scope, namedPeriod('2026')!, true),
      ]);
      return [...h1.table.all(), ...year.table.all()];
    };
    const before = await figures();
    for (const id of activeClients) await t.app.get(ClientErasureService).erase(cliContext(), id, 'client_request');
    const erased: Array<{ n: string }> = await t.dataSource.query(
      `SELECT count(*) AS n FROM client WHERE organization_id = $1 AND status = 'erased'`,
      [orgA.id],
    );
    expect(Number(erased[0].n)).toBe(7);
    expect(await figures()).toEqual(before);
  });
});
