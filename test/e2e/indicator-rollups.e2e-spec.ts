import { randomBytes } from 'node:crypto';
import {
  ALL,
  FigureRow,
  IndicatorQuery,
  IndicatorsRepository,
  wholeMonths,
} from '../../src/indicators/indicators.repository';
import { anOrganization, createTestApp, TestApp } from '../support/app';
import { randomLetters } from '../support/fixtures';
import { seededRandom } from '../support/seeded-random';

jest.setTimeout(240_000);

/**
 * The roll-ups (migration CreateIndicatorRollups) against the definitions: a program is built and then
 * changed at random the ways the app changes it — contacts added, moved to another day, district or
 * client (a merge), soft-deleted and deleted; assessments added; referrals made, completed, re-dated,
 * cancelled, moved and deleted; clients moving district — and after each round every figure of every
 * whole-month period of the year, read from the roll-ups, equals the exact query over the facts.
 */
const DISTRICTS = ['ba-dinh', 'hoan-kiem', 'dong-da'];
const DOMAINS = ['health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit'];
const YEAR = 2026;
const SERVICE: Record<string, string> = {
  health: 'general_health',
  psychosocial: 'counselling',
  legal: 'legal_aid',
  vocational: 'training_course',
  employment: 'job_placement',
  credit: 'vbsp_loan',
};

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Every period of whole months of the year the dashboard offers, and then some. */
function periods(): Array<{ start: string; end: string }> {
  const spans: Array<[number, number]> = [
    [1, 12],
    [1, 6],
    [7, 12],
  ];
  for (let q = 0; q < 4; q++) spans.push([q * 3 + 1, q * 3 + 3]);
  for (let m = 1; m <= 12; m++) spans.push([m, m]);
  spans.push([2, 9], [5, 5]);
  return spans.map(([a, b]) => ({ start: `${YEAR}-${pad(a)}-01`, end: `${YEAR}-${pad(b)}-${lastDay(YEAR, b)}` }));
}

/** Figures as a map, leaving out zeros (a missing row and a zero row mean the same to the figure table). */
function asMap(rows: FigureRow[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const r of rows) {
    if (r.numerator === 0 && !r.denominator) continue;
    map[`${r.indicator}|${r.district}|${r.domain}`] = `${r.numerator}/${r.denominator ?? ''}`;
  }
  return map;
}

describe('indicator roll-ups equal the exact figures after any sequence of changes', () => {
  let t: TestApp;
  let repository: IndicatorsRepository;
  const query = <T>(sql: string, params: unknown[] = []) => t.dataSource.query(sql, params) as Promise<T[]>;
  const random = seededRandom(6_122_026);
  const pick = <T>(items: readonly T[]) => items[random(items.length)];
  /** A day of the year, often the first or the last of its month (where periods begin and end). */
  const dayOf = (year = YEAR) => {
    const month = random(12) + 1;
    const edge = random(3);
    const day = edge === 0 ? 1 : edge === 1 ? lastDay(year, month) : random(lastDay(year, month)) + 1;
    return `${year}-${pad(month)}-${pad(day)}`;
  };
  let organizations: string[];

  beforeAll(async () => {
    t = await createTestApp();
    repository = t.app.get(IndicatorsRepository);
    organizations = [(await anOrganization(t)).id, (await anOrganization(t)).id];
  });
  afterAll(() => t?.close());

  async function addClients(n: number) {
    for (let i = 0; i < n; i++) {
      await query(
        `INSERT INTO client (organization_id, uic_hash, display_code, gender, birth_year, primary_district, work_setting,
                             first_contact_date, consent_date, consent_notice_version, status)
         VALUES ($1, $2, $3, 'female', 1990, $4, 'street', '2025-01-01', '2025-01-01', '2026-01', 'active')`,
        [
          pick(organizations),
          randomBytes(32).toString('hex'),
          `${randomLetters(3)}-${randomLetters(3)}`,
          pick(DISTRICTS),
        ],
      );
    }
  }

  /** One round of changes, each written the way the app writes it (single rows and multi-row statements). */
  async function changeAtRandom() {
    const clients = await query<{ id: string; organization_id: string }>(
      `SELECT id, organization_id FROM client WHERE organization_id = ANY($1)`,
      [organizations],
    );
    // Contacts: several in one statement (an import batch), some on the same client-day, some the year before.
    const values: string[] = [];
    const params: unknown[] = [];
    for (let i = 0; i < 25; i++) {
      const c = pick(clients);
      params.push(c.id, c.organization_id, random(6) === 0 ? dayOf(YEAR - 1) : dayOf(), pick(DISTRICTS));
      const k = params.length;
      values.push(`($${k - 3}, $${k - 2}, $${k - 1}, 'street', $${k}, 'import')`);
    }
    await query(
      `INSERT INTO contact (client_id, organization_id, contact_date, modality, district_code, source) VALUES ${values.join(', ')}`,
      params,
    );
    const contacts = await query<{ id: string }>(
      `SELECT id FROM contact WHERE organization_id = ANY($1) AND deleted_at IS NULL ORDER BY id`,
      [organizations],
    );
    for (let i = 0; i < 4; i++) {
      const id = pick(contacts).id;
      const change = random(5);
      if (change === 0) await query(`UPDATE contact SET contact_date = $2 WHERE id = $1`, [id, dayOf()]);
      if (change === 1) await query(`UPDATE contact SET district_code = $2 WHERE id = $1`, [id, pick(DISTRICTS)]);
      if (change === 2) await query(`UPDATE contact SET deleted_at = now() WHERE id = $1`, [id]);
      if (change === 3) await query(`DELETE FROM contact WHERE id = $1`, [id]);
      if (change === 4) {
        // A merge moves a client's records to another client of the same organization.
        const [from] = await query<{ client_id: string; organization_id: string }>(
          `SELECT client_id, organization_id FROM contact WHERE id = $1`,
          [id],
        );
        const to = pick(clients.filter((c) => c.organization_id === from.organization_id));
        await query(`UPDATE contact SET client_id = $2 WHERE client_id = $1`, [from.client_id, to.id]);
        await query(`UPDATE referral SET client_id = $2 WHERE client_id = $1`, [from.client_id, to.id]);
      }
    }
    // Assessments: need and eligibility per domain, dated this year or the one before.
    for (let i = 0; i < 6; i++) {
      const c = pick(clients);
      const day = random(4) === 0 ? dayOf(YEAR - 1) : dayOf();
      const [a] = await query<{ id: string }>(
        `INSERT INTO needs_assessment (client_id, organization_id, assessed_on) VALUES ($1, $2, $3) RETURNING id`,
        [c.id, c.organization_id, day],
      );
      for (const domain of DOMAINS.filter(() => random(2) === 0))
        await query(
          `INSERT INTO needs_assessment_domain (assessment_id, domain, client_id, assessed_on, need, eligible)
           VALUES ($1, $2, $3, $4, $5, $6)`,
          [a.id, domain, c.id, day, pick(['yes', 'yes', 'no', 'unknown']), pick(['yes', 'yes', 'no', 'unknown'])],
        );
    }
    // Referrals: made, some completed; then completed later, re-dated, cancelled, deleted.
    for (let i = 0; i < 8; i++) {
      const c = pick(clients);
      const domain = pick(DOMAINS);
      const referred = random(5) === 0 ? dayOf(YEAR - 1) : dayOf();
      const completed = random(2) === 0 ? (referred < `${YEAR}-12-01` ? dayOf() : null) : null;
      const done = completed && completed >= referred ? completed : null;
      await query(
        `INSERT INTO referral (client_id, organization_id, domain, service_type, referred_on, status, status_on,
                               completed_on, last_activity_at, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now(), 'import')`,
        [
          c.id,
          c.organization_id,
          domain,
          SERVICE[domain],
          referred,
          done ? 'completed' : 'referred',
          done ?? referred,
          done,
        ],
      );
    }
    const referrals = await query<{ id: string }>(
      `SELECT id FROM referral WHERE organization_id = ANY($1) ORDER BY id`,
      [organizations],
    );
    for (let i = 0; i < 5 && referrals.length > 0; i++) {
      const id = pick(referrals).id;
      const change = random(6);
      if (change === 0)
        await query(
          `UPDATE referral SET status = 'completed', completed_on = GREATEST(referred_on, $2::date),
                  status_on = GREATEST(referred_on, $2::date) WHERE id = $1`,
          [id, dayOf()],
        );
      if (change === 1)
        await query(`UPDATE referral SET status = 'cancelled', completed_on = NULL WHERE id = $1`, [id]);
      if (change === 2)
        await query(`UPDATE referral SET referred_on = LEAST($2::date, completed_on, status_on) WHERE id = $1`, [
          id,
          dayOf(),
        ]);
      if (change === 3) await query(`DELETE FROM referral_event WHERE referral_id = $1`, [id]);
      if (change === 3) await query(`DELETE FROM referral WHERE id = $1`, [id]);
      if (change === 4) await query(`UPDATE referral SET version = version + 1 WHERE id = $1`, [id]);
      // A correction of the status alone (the completed day stays on the row).
      if (change === 5) await query(`UPDATE referral SET status = 'lost' WHERE id = $1`, [id]);
    }
    // A client moves to another district.
    await query(`UPDATE client SET primary_district = $2 WHERE id = $1`, [pick(clients).id, pick(DISTRICTS)]);
  }

  async function exactReach(q: IndicatorQuery): Promise<FigureRow[]> {
    const rows = await query<{ district: string; n: string }>(
      `SELECT '${ALL}' AS district, count(*) AS n FROM indicator_client_day
        WHERE organization_id = ANY($1) AND day BETWEEN $2 AND $3
       UNION ALL
       SELECT district_code, count(*) FROM indicator_client_day_district
        WHERE organization_id = ANY($1) AND day BETWEEN $2 AND $3 GROUP BY district_code`,
      [q.organizationIds, q.start, q.end],
    );
    return rows.map((r) => ({
      indicator: 'reach_contacts',
      district: r.district,
      domain: ALL,
      numerator: Number(r.n),
      denominator: null,
    }));
  }

  async function compareEveryPeriod(round: number) {
    for (const organizationIds of [organizations, [organizations[0]]]) {
      for (const span of periods()) {
        const q = { ...span, organizationIds };
        const months = wholeMonths(q)!;
        expect(months).not.toBeNull();
        const rolled = asMap([...(await repository.reach(q)), ...(await repository.monthFigures(q, months))]);
        const exact = asMap([...(await exactReach(q)), ...(await repository.exactFigures(q))]);
        expect({ round, period: span, organizations: organizationIds.length, figures: rolled }).toEqual({
          round,
          period: span,
          organizations: organizationIds.length,
          figures: exact,
        });
      }
    }
  }

  it('chooses the roll-ups for whole months within one year only', () => {
    expect(wholeMonths({ start: '2026-01-01', end: '2026-12-31' })).toEqual({ year: 2026, first: 1, last: 12 });
    expect(wholeMonths({ start: '2026-02-01', end: '2026-02-28' })).toEqual({ year: 2026, first: 2, last: 2 });
    expect(wholeMonths({ start: '2024-02-01', end: '2024-02-28' })).toBeNull(); // 2024 is a leap year
    expect(wholeMonths({ start: '2026-01-02', end: '2026-12-31' })).toBeNull();
    expect(wholeMonths({ start: '2026-01-01', end: '2026-12-30' })).toBeNull();
    expect(wholeMonths({ start: '2025-12-01', end: '2026-01-31' })).toBeNull();
  });

  it('agrees with the exact queries on every figure, after each of twelve rounds of changes', async () => {
    await addClients(30);
    for (let round = 1; round <= 12; round++) {
      await changeAtRandom();
      if (round % 3 === 0) await addClients(5);
      await compareEveryPeriod(round);
    }
    // The rounds did produce every kind of figure.
    const all = asMap(
      await repository.monthFigures(
        { start: `${YEAR}-01-01`, end: `${YEAR}-12-31`, organizationIds: organizations },
        { year: YEAR, first: 1, last: 12 },
      ),
    );
    for (const key of [
      'reached_clients|ALL|ALL',
      'referrals_made|ALL|ALL',
      'referrals_completed|ALL|ALL',
      'access_rate|ALL|ALL',
    ])
      expect(all[key]).toBeDefined();
    expect(Number(all['access_rate|ALL|ALL'].split('/')[0])).toBeGreaterThan(0);
  });

  it('stays exact when transactions write for the same clients at the same time', async () => {
    await addClients(3);
    const [few] = [
      await query<{ id: string; organization_id: string }>(
        `SELECT id, organization_id FROM client WHERE organization_id = ANY($1) ORDER BY id LIMIT 3`,
        [organizations],
      ),
    ];
    const writer = async (i: number) => {
      const c = few[i % few.length];
      await t.dataSource.transaction(async (tx) => {
        const day = dayOf();
        await tx.query(
          `INSERT INTO contact (client_id, organization_id, contact_date, modality, district_code, source)
           VALUES ($1, $2, $3, 'street', $4, 'import')`,
          [c.id, c.organization_id, day, pick(DISTRICTS)],
        );
        const [a] = await tx.query(
          `INSERT INTO needs_assessment (client_id, organization_id, assessed_on) VALUES ($1, $2, $3) RETURNING id`,
          [c.id, c.organization_id, day],
        );
        await tx.query(
          `INSERT INTO needs_assessment_domain (assessment_id, domain, client_id, assessed_on, need, eligible)
           VALUES ($1, 'health', $2, $3, $4, 'yes')`,
          [a.id, c.id, day, pick(['yes', 'no'])],
        );
        await tx.query(
          `INSERT INTO referral (client_id, organization_id, domain, service_type, referred_on, status, status_on,
                                 completed_on, last_activity_at, source)
           VALUES ($1, $2, 'health', 'general_health', $3, 'completed', $3, $3, now(), 'import')`,
          [c.id, c.organization_id, day],
        );
      });
    };
    await Promise.all(Array.from({ length: 24 }, (_, i) => writer(i)));
    await compareEveryPeriod(99);
  });
});
