import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Roll-ups of the indicator facts, so a year's dashboard over a million contacts is one pass over one
 * short row per client instead of joins over millions of rows (MISSION §7: under 500 ms;
 * `npm run bench:indicators` measured 2 s without them). The database keeps them up to date in the
 * transaction of every write, like the tables they summarize (migration CreateIndicatorTables):
 *
 * - `indicator_reach_day`: client-days per organization and day, overall (`district_code` = '') and per
 *   contact district — `reach_contacts` of any period and its monthly line are sums over days. Kept by
 *   additions (+1 / −1), which concurrent writers may make in any order.
 * - `indicator_client_year`: one row per client and year with a contact or a referral: the client's
 *   organization and primary district, and bit masks by month (bit m−1 for month m): `months`, the months
 *   with a contact; `need_<domain>`, the month ends on which Need(c, d, ·) holds (MISSION §5: the latest
 *   assessment on or before that day says need = yes and eligible = yes); `used_<domain>`, the months with
 *   a referral in the domain completed; and running totals of referrals made (`made`) and completed
 *   (`completed`): position p holds months 1..p−1, so months a..b add up to `x[b + 1] − x[a]`. For a period
 *   of whole months within one year (month, quarter, half, year: the dashboard's periods)
 *   `reached_clients`, the access rate and the referral counts are one pass over these rows; other
 *   periods use the exact queries over the indicator tables.
 *
 * A client's rows are recomputed from their facts by `indicator_refresh_client_years` whenever a fact of
 * theirs changes. So that two transactions writing for the same client never recompute from snapshots
 * that miss each other's facts, every write of contacts, assessments and referrals first takes the
 * client's row lock (FOR NO KEY UPDATE: it does not block the foreign-key checks of other inserts, only
 * other such writers and edits of the client row) — the `trg_indicator_0_lock_*` triggers, which fire
 * before the other indicator triggers of the same statement (triggers fire in name order).
 *
 * Erased clients keep their tombstone and their facts, so nothing here changes at erasure (§5); a merge
 * moves contacts and referrals, and both clients' rows are recomputed.
 */
const DOMAINS = ['health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit'];

const monthEnd = (year: string, month: string) =>
  `(make_date(${year}, ${month}, 1) + interval '1 month' - interval '1 day')::date`;
const yearOf = (day: string) => `extract(year FROM ${day})::int`;
const monthOf = (day: string) => `extract(month FROM ${day})::int`;
const inYear = (day: string, year: string) =>
  `${day} >= make_date(${year}, 1, 1) AND ${day} < make_date(${year} + 1, 1, 1)`;
const bit = (month: string) => `(1 << (${month} - 1))`;

/** Running totals by month (13 positions: 0, ≤ 1 … ≤ 12) of the rows matching `where`. */
const runningTotals = (day: string, where: string) =>
  `ARRAY[0, ${Array.from({ length: 12 }, (_, i) => `count(*) FILTER (WHERE ${where} AND ${monthOf(day)} <= ${i + 1})`).join(', ')}]::smallint[]`;

const LOCK_CLIENTS = (ids: string) =>
  `PERFORM 1 FROM client c JOIN (SELECT DISTINCT unnest(${ids}) AS id) i ON i.id = c.id ORDER BY c.id FOR NO KEY UPDATE OF c;`;

const COLUMNS = [
  'organization_id',
  'district_code',
  'months',
  ...DOMAINS.map((d) => `need_${d}`),
  ...DOMAINS.map((d) => `used_${d}`),
  'made',
  'completed',
];

/**
 * Recomputes the rows of the clients `ids` from their facts: rows whose figures changed are rewritten,
 * years left without a fact are deleted, the others are left alone (most new contacts fall in a month
 * already marked, so the row is not rewritten at all). The client ids are joined, not tested with
 * `= ANY(ids)`, which a large array (an import batch) would turn into a scan of the fact tables per id.
 */
const REFRESH_CLIENT_YEARS = `
CREATE FUNCTION indicator_refresh_client_years(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
  IF cardinality(ids) = 0 THEN RETURN; END IF;
  ${LOCK_CLIENTS('ids')}
  WITH i AS (SELECT DISTINCT unnest(ids) AS id),
  k AS (
    SELECT DISTINCT s.client_id, s.year FROM i CROSS JOIN LATERAL (
      SELECT d.client_id, ${yearOf('d.day')} AS year FROM indicator_client_day d WHERE d.client_id = i.id
      UNION ALL
      SELECT r.client_id, ${yearOf('r.referred_on')} FROM referral r WHERE r.client_id = i.id
      UNION ALL
      SELECT r.client_id, ${yearOf('r.completed_on')} FROM referral r
       WHERE r.client_id = i.id AND r.status = 'completed' AND r.completed_on IS NOT NULL) s
  ),
  fresh AS (
    SELECT k.client_id, k.year, c.organization_id, c.primary_district AS district_code, cd.months,
      ${DOMAINS.map((d) => `nd.need_${d}`).join(', ')},
      ${DOMAINS.map((d) => `rf.used_${d}`).join(', ')}, rf.made, rf.completed
      FROM k
      JOIN client c ON c.id = k.client_id
      CROSS JOIN LATERAL (
        SELECT COALESCE(bit_or(${bit(monthOf('d.day'))}), 0) AS months FROM indicator_client_day d
         WHERE d.client_id = k.client_id AND ${inYear('d.day', 'k.year')}) cd
      CROSS JOIN LATERAL (
        SELECT ${DOMAINS.map((d) => `COALESCE(bit_or(${bit('m')}) FILTER (WHERE n.domain = '${d}'), 0) AS need_${d}`).join(',\n               ')}
          FROM indicator_need n CROSS JOIN generate_series(1, 12) m
         WHERE n.client_id = k.client_id AND n.from_day <= ${monthEnd('k.year', 'm')}
           AND (n.to_day IS NULL OR n.to_day > ${monthEnd('k.year', 'm')})) nd
      CROSS JOIN LATERAL (
        SELECT ${DOMAINS.map((d) => `COALESCE(bit_or(${bit(monthOf('r.completed_on'))}) FILTER (WHERE r.domain = '${d}' AND r.status = 'completed' AND ${inYear('r.completed_on', 'k.year')}), 0) AS used_${d}`).join(',\n               ')},
               ${runningTotals('r.referred_on', inYear('r.referred_on', 'k.year'))} AS made,
               ${runningTotals('r.completed_on', `r.status = 'completed' AND ${inYear('r.completed_on', 'k.year')}`)} AS completed
          FROM referral r WHERE r.client_id = k.client_id) rf
  ),
  gone AS (
    DELETE FROM indicator_client_year y USING i
     WHERE y.client_id = i.id AND (y.client_id, y.year) NOT IN (SELECT client_id, year FROM k)
  )
  INSERT INTO indicator_client_year AS t (client_id, year, ${COLUMNS.join(', ')})
  SELECT client_id, year, ${COLUMNS.join(', ')} FROM fresh
  ON CONFLICT (client_id, year) DO UPDATE SET ${COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
   WHERE (${COLUMNS.map((c) => `t.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')});
END $body$`;

/** Client-days added (+1) or removed (−1), overall or per district. */
const reachDelta = (rows: string, sign: 1 | -1, district: string) => `
  INSERT INTO indicator_reach_day AS t (organization_id, district_code, day, client_days)
  SELECT organization_id, ${district}, day, ${sign} * count(*) FROM ${rows} GROUP BY 1, 2, 3
  ON CONFLICT (organization_id, day, district_code) DO UPDATE SET client_days = t.client_days + EXCLUDED.client_days;`;

const refresh = (...rows: string[]) =>
  `PERFORM indicator_refresh_client_years(ARRAY(${rows.map((r) => `SELECT client_id FROM ${r}`).join(' UNION ')}));`;
const lockClientsOf = (...rows: string[]) =>
  LOCK_CLIENTS(`ARRAY(${rows.map((r) => `SELECT client_id FROM ${r}`).join(' UNION ')})`);

/** The rows of an update of `referral` whose counted facts changed (a note or a version changes nothing here). */
const CHANGED_REFERRALS = `(
      SELECT n.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.client_id, n.domain, n.referred_on, n.status, n.completed_on)
             IS DISTINCT FROM (o.client_id, o.domain, o.referred_on, o.status, o.completed_on)
      UNION
      SELECT o.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.client_id, n.domain, n.referred_on, n.status, n.completed_on)
             IS DISTINCT FROM (o.client_id, o.domain, o.referred_on, o.status, o.completed_on)) changed`;

const NEW = 'NEW TABLE AS new_rows';
const OLD = 'OLD TABLE AS old_rows';
const BOTH = 'OLD TABLE AS old_rows NEW TABLE AS new_rows';

/** Statement triggers: name, table, event, transition tables, body. */
const TRIGGERS: Array<{ name: string; table: string; event: string; referencing: string; body: string }> = [
  // Every writer of a client's facts takes the client's row lock first (these names sort first).
  ...['contact', 'needs_assessment_domain', 'referral'].flatMap((table) => [
    { name: `0_lock_${table}_inserted`, table, event: 'INSERT', referencing: NEW, body: lockClientsOf('new_rows') },
    {
      name: `0_lock_${table}_updated`,
      table,
      event: 'UPDATE',
      referencing: BOTH,
      body: lockClientsOf('old_rows', 'new_rows'),
    },
    { name: `0_lock_${table}_deleted`, table, event: 'DELETE', referencing: OLD, body: lockClientsOf('old_rows') },
  ]),
  {
    name: 'rollup_client_day_inserted',
    table: 'indicator_client_day',
    event: 'INSERT',
    referencing: NEW,
    body: reachDelta('new_rows', 1, `''`) + refresh('new_rows'),
  },
  {
    name: 'rollup_client_day_deleted',
    table: 'indicator_client_day',
    event: 'DELETE',
    referencing: OLD,
    body: reachDelta('old_rows', -1, `''`) + refresh('old_rows'),
  },
  {
    name: 'rollup_client_day_district_inserted',
    table: 'indicator_client_day_district',
    event: 'INSERT',
    referencing: NEW,
    body: reachDelta('new_rows', 1, 'district_code'),
  },
  {
    name: 'rollup_client_day_district_deleted',
    table: 'indicator_client_day_district',
    event: 'DELETE',
    referencing: OLD,
    body: reachDelta('old_rows', -1, 'district_code'),
  },
  {
    name: 'rollup_need_inserted',
    table: 'indicator_need',
    event: 'INSERT',
    referencing: NEW,
    body: refresh('new_rows'),
  },
  {
    name: 'rollup_need_updated',
    table: 'indicator_need',
    event: 'UPDATE',
    referencing: BOTH,
    body: refresh('old_rows', 'new_rows'),
  },
  {
    name: 'rollup_need_deleted',
    table: 'indicator_need',
    event: 'DELETE',
    referencing: OLD,
    body: refresh('old_rows'),
  },
  { name: 'rollup_referral_inserted', table: 'referral', event: 'INSERT', referencing: NEW, body: refresh('new_rows') },
  {
    name: 'rollup_referral_updated',
    table: 'referral',
    event: 'UPDATE',
    referencing: BOTH,
    body: refresh(CHANGED_REFERRALS),
  },
  { name: 'rollup_referral_deleted', table: 'referral', event: 'DELETE', referencing: OLD, body: refresh('old_rows') },
];

export class CreateIndicatorRollups1795890500000 implements MigrationInterface {
  name = 'CreateIndicatorRollups1795890500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "indicator_reach_day" ("organization_id" uuid NOT NULL, "district_code" character varying(60) NOT NULL, "day" date NOT NULL, "client_days" integer NOT NULL, CONSTRAINT "pk_indicator_reach_day" PRIMARY KEY ("organization_id", "day", "district_code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "indicator_client_year" ("client_id" uuid NOT NULL, "year" integer NOT NULL, "organization_id" uuid NOT NULL, "district_code" character varying(60) NOT NULL, "months" integer NOT NULL, ${DOMAINS.map((d) => `"need_${d}" integer NOT NULL`).join(', ')}, ${DOMAINS.map((d) => `"used_${d}" integer NOT NULL`).join(', ')}, "made" smallint array NOT NULL, "completed" smallint array NOT NULL, CONSTRAINT "pk_indicator_client_year" PRIMARY KEY ("client_id", "year"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_indicator_client_year_year_org" ON "indicator_client_year" ("year", "organization_id")`,
    );
    await queryRunner.query(REFRESH_CLIENT_YEARS);
    for (const t of TRIGGERS) {
      const fn = `indicator_${t.name}`;
      await queryRunner.query(
        `CREATE FUNCTION "${fn}"() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN ${t.body} RETURN NULL; END $body$`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "trg_${fn}" AFTER ${t.event} ON "${t.table}" REFERENCING ${t.referencing} FOR EACH STATEMENT EXECUTE FUNCTION "${fn}"()`,
      );
    }
    // A client moving district: their rows say so (the UPDATE holds the client's row lock already).
    await queryRunner.query(
      `CREATE FUNCTION indicator_client_district_changed() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN PERFORM indicator_refresh_client_years(ARRAY[NEW.id]); RETURN NULL; END $body$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "trg_indicator_client_district_changed" AFTER UPDATE OF "primary_district" ON "client" FOR EACH ROW WHEN (OLD.primary_district IS DISTINCT FROM NEW.primary_district) EXECUTE FUNCTION indicator_client_district_changed()`,
    );
    // Facts recorded before this migration.
    await queryRunner.query(`DO $body$ BEGIN
      CREATE TEMP TABLE new_rows ON COMMIT DROP AS SELECT * FROM indicator_client_day;
      ${reachDelta('new_rows', 1, `''`)}
      DROP TABLE new_rows;
      CREATE TEMP TABLE new_rows ON COMMIT DROP AS SELECT * FROM indicator_client_day_district;
      ${reachDelta('new_rows', 1, 'district_code')}
      DROP TABLE new_rows;
      PERFORM indicator_refresh_client_years(ARRAY(SELECT client_id FROM indicator_client_day UNION SELECT client_id FROM referral));
    END $body$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "trg_indicator_client_district_changed" ON "client"`);
    await queryRunner.query(`DROP FUNCTION indicator_client_district_changed()`);
    for (const t of TRIGGERS) {
      const fn = `indicator_${t.name}`;
      await queryRunner.query(`DROP TRIGGER "trg_${fn}" ON "${t.table}"`);
      await queryRunner.query(`DROP FUNCTION "${fn}"()`);
    }
    await queryRunner.query(`DROP FUNCTION indicator_refresh_client_years(uuid[])`);
    await queryRunner.query(`DROP TABLE "indicator_client_year"`);
    await queryRunner.query(`DROP TABLE "indicator_reach_day"`);
  }
}
