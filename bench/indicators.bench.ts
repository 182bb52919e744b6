/**
 * Indicator dashboard benchmark (MISSION §7: the full dashboard for a year over 1,000,000 contacts,
 * 200,000 clients and 300,000 referrals in under 500 ms on a 2-core machine). Not a test: it prints figures.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:indicators
 *   DATABASE_URL=… npm run bench:indicators -- --runs 11 --keep
 *   DATABASE_URL=… npm run bench:indicators -- --reuse nhipcau_bench_12345     # time a kept database again
 *   npm run bench:indicators                                                   # embedded database (PGlite)
 *
 * Flags:
 *   --runs N        timed runs of each measure, after one warm-up run (default 7): median, min and max printed
 *   --scale F       fraction of the volume (default 1: 200,000 clients, 1,000,000 contacts, ~400,000
 *                   assessment-domain rows, 300,000 referrals); e.g. 0.05 for a quick try of the script
 *   --year YYYY     the year of the generated activity and of the dashboard (default 2026)
 *   --keep          keep the benchmark database at the end (its name or directory is printed)
 *   --reuse NAME    time a database left by --keep (PostgreSQL: its name; embedded: its directory): no
 *                   generation, and it is not removed
 *   --no-vacuum     after loading, ANALYZE only (no VACUUM): the tables as right after a bulk load, before
 *                   autovacuum has set the visibility map (index-only scans then visit the heap)
 *
 * With DATABASE_URL (what MISSION §7 is about): the benchmark creates its own database
 * `nhipcau_bench_<pid>` on that server (the user needs CREATEDB), applies the migrations by booting the app
 * on it, and drops it at the end, also on Ctrl-C. Without it: the embedded database (PGlite) in a new
 * temporary directory, removed at the end. That works at full scale but takes about 5 minutes, over 1 GB
 * of disk and 1 GB of memory, and its one connection runs the dashboard's queries one after another, so
 * its timings are not those of the bar.
 *
 * The data is generated inside the database (generate_series, INSERT … SELECT, in chunks), with a fixed
 * hash of the row number as its randomness (the same data on every run): six organizations — five each
 * working in two of the ten program districts of MISSION §1, one city-wide — clients spread over the 30
 * districts of the seed geography (90% in the program districts), a year of contacts skewed towards the
 * long-standing clients, assessments (need and eligibility per domain), referrals mostly in a domain the
 * client needs (55% completed), peer groups with weekly sessions, and program and organization targets.
 * Facts go into the normal tables, so the database's own statement triggers fill the indicator tables
 * (migration CreateIndicatorTables) exactly as in production. Then VACUUM ANALYZE: the steady state that
 * autovacuum keeps a live database in.
 *
 * Timed, through the real app (IndicatorsService, the path of GET /indicators): the program-wide
 * dashboard of the year — `scopeFor('program')` then `dashboard()` for a city-level manager (figures
 * with suppression, reach against target month by month, access target, outcomes per domain and per
 * provider, follow-ups, peer-group activity) — interleaved with a plain `SELECT count(*) FROM contact`;
 * then one organization's dashboard, and each query family alone, to see where the time goes. The app
 * runs with its clock fixed at 10 January of the next year, so the whole year is in the past.
 */
import 'reflect-metadata';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    scale: { type: 'string', default: '1' },
    year: { type: 'string', default: '2026' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    'no-vacuum': { type: 'boolean', default: false },
  },
});

const RUNS = Number(values.runs);
const SCALE = Number(values.scale);
const YEAR = Number(values.year);
if (!Number.isInteger(RUNS) || RUNS < 1) fail('--runs must be a whole number of at least 1');
if (!(SCALE > 0 && SCALE <= 10)) fail('--scale must be a number in (0, 10]');
if (!Number.isInteger(YEAR) || YEAR < 2001 || YEAR > 2099) fail('--year must be a year such as 2026');
if (values.reuse !== undefined) {
  if (process.env.DATABASE_URL && !/^[a-z_][a-z0-9_]{0,62}$/.test(values.reuse))
    fail('--reuse takes the name of a database left by --keep, e.g. nhipcau_bench_12345');
  if (!process.env.DATABASE_URL && !existsSync(join(values.reuse, 'pglite', 'PG_VERSION')))
    fail(`--reuse takes the directory of an embedded database left by --keep: ${values.reuse} is not one`);
}

const CLIENTS = Math.round(200_000 * SCALE);
const CONTACTS = Math.round(1_000_000 * SCALE);
const REFERRALS = Math.round(300_000 * SCALE);
const GROUPS = Math.max(10, Math.round(100 * SCALE));
/** Rows per INSERT … SELECT: each statement's transition table stays small enough for the triggers. */
const CHUNK = 100_000;

const Y0 = `DATE '${YEAR}-01-01'`;
const Y1 = `DATE '${YEAR}-12-31'`;
/** "Today" for the app: early in the next year, so the whole year is past (Hanoi noon). */
const TODAY = new Date(`${YEAR + 1}-01-10T05:00:00Z`);

/** The ten program districts (MISSION §1), their share of the clients (in %), and which organization works there. */
const PROGRAM: ReadonlyArray<[code: string, weight: number, organization: number]> = [
  ['hoang-mai', 14, 0],
  ['thanh-tri', 5, 0],
  ['ha-dong', 10, 1],
  ['nam-tu-liem', 7, 1],
  ['cau-giay', 10, 2],
  ['bac-tu-liem', 6, 2],
  ['dong-da', 12, 3],
  ['ba-dinh', 8, 3],
  ['hai-ba-trung', 11, 4],
  ['hoan-kiem', 7, 4],
];
/** The city-wide organization: the other 20 districts, and 15% of the clients of the program districts. */
const CITY = 5;
const ORGANIZATIONS = [
  'Bình Minh (Hoàng Mai, Thanh Trì)',
  'Hướng Dương (Hà Đông, Nam Từ Liêm)',
  'Sen Hồng (Cầu Giấy, Bắc Từ Liêm)',
  'Ánh Sáng (Đống Đa, Ba Đình)',
  'Bạn Giúp Bạn (Hai Bà Trưng, Hoàn Kiếm)',
  'Mạng lưới Hà Nội (toàn thành phố)',
];

function fail(message: string): never {
  process.stderr.write(`bench:indicators: ${message}\n`);
  process.exit(2);
}

const line = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(46)} ${value}\n`);
const ms = (value: number) => `${value.toFixed(1)} ms`;
const seconds = (value: number) => `${(value / 1000).toFixed(1)} s`;
const thousands = (value: number | string) => Number(value).toLocaleString('en-US');

interface Stats {
  median: number;
  min: number;
  max: number;
}
function statsOf(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
const statsText = (s: Stats) => `median ${ms(s.median)}  (min ${ms(s.min)}, max ${ms(s.max)})`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await work();
  return { ms: performance.now() - started, result };
}

type Query = (sql: string) => Promise<unknown>;

/**
 * Fills an empty, migrated database through `query` (one session: the helpers live in pg_temp). Every
 * random choice is `pg_temp.u(row, k)`: a fixed hash of the row number and of k (one k per choice).
 */
async function generate(query: Query): Promise<void> {
  const step = async (label: string, work: () => Promise<unknown>) => line(label, seconds((await timed(work)).ms));
  // A year of facts arrives in a few minutes here: ANALYZE after each chunk gives the planner of the
  // database's triggers the statistics autovacuum would have gathered over the year.
  const chunks = async (total: number, size: number, insert: (from: number, to: number) => string) => {
    for (let from = 1; from <= total; from += size) {
      await query(insert(from, Math.min(total, from + size - 1)));
      await query('ANALYZE');
    }
  };

  await query(`SET jit = off`);
  await query(`SET work_mem = '64MB'`);
  await query(`SET synchronous_commit = off`);
  await query(`CREATE FUNCTION pg_temp.u(n bigint, k int) RETURNS float8 LANGUAGE sql IMMUTABLE
                 AS $$ SELECT (hashint8(n * 256 + k) & 2147483647)::float8 / 2147483648 $$`);
  // A display code like `K7F-2Q9` (src/privacy/client-code.ts), distinct for every n below 28^6.
  await query(`CREATE FUNCTION pg_temp.display_code(n bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $$
                 SELECT string_agg(substr('ACDEFGHJKMNPQRTUVWXY23456789', (floor(v / 28 ^ i)::bigint % 28)::int + 1, 1), ''
                                   ORDER BY i) FILTER (WHERE i < 3) || '-' ||
                        string_agg(substr('ACDEFGHJKMNPQRTUVWXY23456789', (floor(v / 28 ^ i)::bigint % 28)::int + 1, 1), ''
                                   ORDER BY i) FILTER (WHERE i >= 3)
                   FROM (SELECT (n * 7919 + 12345) % 481890304 AS v) x, generate_series(0, 5) i $$`);

  await step('organizations, providers, manager, targets', async () => {
    await query(`CREATE TEMP TABLE bench_org (idx int PRIMARY KEY, id uuid NOT NULL)`);
    await query(`WITH o AS (
                   INSERT INTO organization (code, name)
                   SELECT 'bench-' || (i + 1), (ARRAY[${ORGANIZATIONS.map((n) => `'${n}'`).join(', ')}])[i + 1]
                     FROM generate_series(0, ${ORGANIZATIONS.length - 1}) i
                   RETURNING id, code)
                 INSERT INTO bench_org SELECT substr(code, 7)::int - 1, id FROM o`);
    const districts = (await query(`SELECT code FROM district ORDER BY sort_order, code`)) as Array<{ code: string }>;
    const others = districts.map((d) => d.code).filter((code) => !PROGRAM.some(([p]) => p === code));
    const weights: Array<[string, number, number]> = [
      ...PROGRAM,
      ...others.map((code): [string, number, number] => [code, 10 / others.length, CITY]),
    ];
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let low = 0;
    const rows = weights.map(([code, weight, organization], i) => {
      const high = i === weights.length - 1 ? 2 : low + weight / total;
      const row = `('${code}', ${low}, ${high}, ${organization}, ${i < PROGRAM.length})`;
      low = high;
      return row;
    });
    await query(`CREATE TEMP TABLE bench_district (code text, lo float8, hi float8, org int, program boolean)`);
    await query(`INSERT INTO bench_district VALUES ${rows.join(', ')}`);

    // Three providers per service type, in the program districts.
    await query(`CREATE TEMP TABLE bench_provider (service_type text, k int, id uuid)`);
    await query(`WITH types(domain, service_type) AS (VALUES
                   ('health', 'hiv_testing'), ('health', 'sti_care'), ('health', 'arv'), ('health', 'prep'),
                   ('health', 'methadone'), ('health', 'reproductive_health'), ('health', 'general_health'),
                   ('psychosocial', 'counselling'), ('psychosocial', 'gbv_support'), ('legal', 'legal_aid'),
                   ('legal', 'documents'), ('vocational', 'training_course'), ('employment', 'job_placement'),
                   ('credit', 'vbsp_loan'), ('credit', 'microcredit')),
                 p AS (
                   INSERT INTO service_provider (name, name_key, domains, service_types, district_code, kp_friendly)
                   SELECT 'Cơ sở ' || t.service_type || ' ' || k, 'co so ' || t.service_type || ' ' || k,
                          ARRAY[t.domain]::varchar[], ARRAY[t.service_type]::varchar[],
                          (ARRAY[${PROGRAM.map(([c]) => `'${c}'`).join(', ')}])[1 + (k * 3 + length(t.service_type)) % 10],
                          k < 2
                     FROM types t, generate_series(0, 2) k
                   RETURNING id, service_types[1] AS service_type, name)
                 INSERT INTO bench_provider SELECT service_type, right(name, 1)::int, id FROM p`);

    // A city-level manager: own organization the first, granted every other (MISSION §1).
    await query(`INSERT INTO app_user (username, password_hash, role, organization_id)
                 SELECT 'bench-manager', '!', 'manager', id FROM bench_org WHERE idx = 0`);
    await query(`INSERT INTO manager_organization_grant (user_id, organization_id)
                 SELECT u.id, o.id FROM app_user u, bench_org o WHERE u.username = 'bench-manager' AND o.idx > 0`);
    await query(`INSERT INTO target (year, organization_id, district_code, reach_target, access_target)
                 SELECT ${YEAR}, NULL, NULL, ${Math.round(850_000 * SCALE)}, 0.6
                 UNION ALL
                 SELECT ${YEAR}, id, NULL, ${Math.round(140_000 * SCALE)}, 0.6 FROM bench_org`);
  });

  await step(`${thousands(CLIENTS)} clients`, async () => {
    // n ≤ 55%: clients known before the year (the most active); the others come during the year.
    await query(`CREATE TEMP TABLE bench_client AS
                 SELECT n, id, district, org, first_day,
                        row_number() OVER (PARTITION BY district, org ORDER BY n) AS rn_local
                   FROM (SELECT s.n, md5('bench-client-' || s.n)::uuid AS id, d.code AS district,
                                CASE WHEN d.org = ${CITY} OR pg_temp.u(s.n, 2) < 0.15 THEN ${CITY} ELSE d.org END AS org,
                                CASE WHEN s.n <= ${Math.round(CLIENTS * 0.55)}
                                     THEN ${Y0} - 1 - floor(pg_temp.u(s.n, 3) * 730)::int
                                     ELSE ${Y0} + floor(pg_temp.u(s.n, 3) * 350)::int END AS first_day
                           FROM (SELECT n, pg_temp.u(n, 1) AS r FROM generate_series(1, ${CLIENTS}) n) s
                           JOIN bench_district d ON s.r >= d.lo AND s.r < d.hi) c`);
    await query(`CREATE UNIQUE INDEX ON bench_client (n)`);
    await query(`ANALYZE bench_client`);
    // 0.4% erased since: tombstones (no code, no display code) that still count (MISSION §5).
    await chunks(
      CLIENTS,
      CHUNK,
      (from, to) => `
      INSERT INTO client (id, organization_id, uic_hash, display_code, gender, birth_year, primary_district,
                          work_setting, first_contact_date, consent_date, consent_notice_version, status,
                          erased_at, created_at, updated_at)
      SELECT c.id, o.id,
             CASE WHEN c.erased THEN NULL ELSE encode(sha256(convert_to('bench-uic-' || c.n, 'UTF8')), 'hex') END,
             CASE WHEN c.erased THEN NULL ELSE pg_temp.display_code(c.n) END,
             CASE WHEN c.g < 0.86 THEN 'female' WHEN c.g < 0.93 THEN 'trans_female' WHEN c.g < 0.98 THEN 'male'
                  ELSE 'other' END,
             1972 + floor(pg_temp.u(c.n, 5) ^ 0.7 * 35)::int,
             c.district,
             CASE WHEN c.w < 0.25 THEN 'massage' WHEN c.w < 0.45 THEN 'karaoke_bar' WHEN c.w < 0.65 THEN 'street'
                  WHEN c.w < 0.75 THEN 'hotel' WHEN c.w < 0.95 THEN 'online' ELSE 'other' END,
             c.first_day, c.first_day, '2026-01',
             CASE WHEN c.erased THEN 'erased' ELSE 'active' END,
             CASE WHEN c.erased THEN now() END,
             (c.first_day + time '09:30') AT TIME ZONE 'Asia/Ho_Chi_Minh',
             (c.first_day + time '09:30') AT TIME ZONE 'Asia/Ho_Chi_Minh'
        FROM (SELECT b.*, pg_temp.u(b.n, 4) AS g, pg_temp.u(b.n, 6) AS w, pg_temp.u(b.n, 7) < 0.004 AS erased
                FROM bench_client b WHERE b.n BETWEEN ${from} AND ${to}) c
        JOIN bench_org o ON o.idx = c.org`,
    );
  });

  await step(`${thousands(CONTACTS)} contacts`, () =>
    // Contact j belongs to client n = N·u^1.4: about 120 a year for the most active, 3 to 4 for the
    // least; on a day from the client's first (or 1 January); 85% in the client's own district.
    chunks(
      CONTACTS,
      CHUNK,
      (from, to) => `
      INSERT INTO contact (client_id, organization_id, contact_date, modality, district_code, topics, condoms,
                           lubricants, hiv_self_tests, source, created_at, updated_at, deleted_at)
      SELECT client_id, org_id, day,
             CASE WHEN r_mod < 0.35 THEN 'street' WHEN r_mod < 0.65 THEN 'venue' WHEN r_mod < 0.80 THEN 'phone'
                  WHEN r_mod < 0.90 THEN 'online' WHEN r_mod < 0.97 THEN 'peer' ELSE 'office' END,
             CASE WHEN r_place < 0.85 THEN district
                  ELSE (ARRAY[${PROGRAM.map(([c]) => `'${c}'`).join(', ')}])[1 + floor(r_other * 10)::int] END,
             (ARRAY['{hiv_sti,condoms}', '{condoms}', '{}', '{gbv,legal_rights}', '{services,mental_health}',
                    '{hiv_sti}', '{drug_use,hiv_sti}', '{labour_rights}'])[1 + floor(r_topic * 8)::int]::varchar[],
             floor(r_goods ^ 2 * 30)::int, floor(r_goods * 5)::int, (r_tests < 0.15)::int,
             CASE WHEN r_source < 0.8 THEN 'app' ELSE 'import' END,
             (day + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
             (day + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
             CASE WHEN r_deleted < 0.003 THEN (day + time '18:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' END
        FROM (SELECT c.id AS client_id, o.id AS org_id, c.district,
                     st.start + floor(pg_temp.u(s.j, 11) * (${Y1} - st.start + 1))::int AS day,
                     pg_temp.u(s.j, 12) AS r_place, pg_temp.u(s.j, 13) AS r_other, pg_temp.u(s.j, 14) AS r_mod,
                     pg_temp.u(s.j, 15) AS r_topic, pg_temp.u(s.j, 16) AS r_goods, pg_temp.u(s.j, 17) AS r_tests,
                     pg_temp.u(s.j, 18) AS r_source, pg_temp.u(s.j, 19) AS r_deleted
                FROM (SELECT j, least(${CLIENTS}, 1 + floor(${CLIENTS} * pg_temp.u(j, 10) ^ 1.4)::int) AS n
                        FROM generate_series(${from}, ${to}) j) s
                JOIN bench_client c ON c.n = s.n
                JOIN bench_org o ON o.idx = c.org
                CROSS JOIN LATERAL (SELECT greatest(c.first_day, ${Y0}) AS start) st) x`,
    ),
  );

  await step('assessments', async () => {
    // 60% of the clients assessed once (near their first contact, or around the new year for those known
    // before), a fifth of them again two to nine months later; per assessment, each domain asked with its
    // own probability (2.8 domains on average).
    await query(`CREATE TEMP TABLE bench_assessment AS
                 WITH first AS (
                   SELECT c.n, c.id AS client_id, c.org,
                          least(${Y1}, CASE WHEN c.first_day < ${Y0}
                                            THEN greatest(c.first_day, ${Y0} - 60 + floor(pg_temp.u(c.n, 21) * 150)::int)
                                            ELSE c.first_day + floor(pg_temp.u(c.n, 21) * 30)::int END) AS day
                     FROM bench_client c WHERE pg_temp.u(c.n, 20) < 0.6)
                 SELECT md5('bench-assessment-' || k)::uuid AS id, a.*
                   FROM (SELECT 2 * n AS k, n, client_id, org, day AS assessed_on, 1 AS seq FROM first
                         UNION ALL
                         SELECT 2 * n + 1, n, client_id, org, least(${Y1}, day + 60 + floor(pg_temp.u(n, 23) * 200)::int), 2
                           FROM first WHERE pg_temp.u(n, 22) < 0.2) a`);
    await query(`INSERT INTO needs_assessment (id, client_id, organization_id, assessed_on, violence, created_at)
                 SELECT a.id, a.client_id, o.id, a.assessed_on,
                        (ARRAY['no', 'no', 'no', 'yes', 'declined'])[1 + floor(pg_temp.u(a.k, 24) * 5)::int],
                        (a.assessed_on + time '14:00' + a.seq * interval '1 minute') AT TIME ZONE 'Asia/Ho_Chi_Minh'
                   FROM bench_assessment a JOIN bench_org o ON o.idx = a.org`);
    await query(`CREATE TEMP TABLE bench_domain AS
                 SELECT a.id AS assessment_id, a.k, a.n, a.client_id, a.org, a.assessed_on, d.domain,
                        CASE WHEN r_need < d.yes THEN 'yes' WHEN r_need < 0.95 THEN 'no' ELSE 'unknown' END AS need,
                        CASE WHEN r_need < d.yes THEN (CASE WHEN r_eligible < 0.85 THEN 'yes'
                                                            WHEN r_eligible < 0.93 THEN 'unknown' ELSE 'no' END)
                             ELSE (CASE WHEN r_eligible < 0.5 THEN 'no' ELSE 'unknown' END) END AS eligible
                   FROM bench_assessment a
                  CROSS JOIN (VALUES ('health', 0.85, 0.6, 1), ('psychosocial', 0.5, 0.45, 2), ('legal', 0.4, 0.35, 3),
                                     ('vocational', 0.4, 0.4, 4), ('employment', 0.35, 0.4, 5), ('credit', 0.3, 0.35, 6))
                             AS d(domain, asked, yes, i)
                  CROSS JOIN LATERAL (SELECT pg_temp.u(a.k, 40 + d.i) AS r_need, pg_temp.u(a.k, 50 + d.i) AS r_eligible) r
                  WHERE pg_temp.u(a.k, 30 + d.i) < d.asked`);
    await query(`CREATE INDEX ON bench_domain (n)`);
    await chunks(
      CLIENTS,
      Math.max(1, Math.round(CLIENTS / 4)),
      (from, to) => `
      INSERT INTO needs_assessment_domain (assessment_id, domain, client_id, assessed_on, need, eligible)
      SELECT assessment_id, domain, client_id, assessed_on, need, eligible
        FROM bench_domain WHERE n BETWEEN ${from} AND ${to}`,
    );
  });

  await step(`${thousands(REFERRALS)} referrals`, async () => {
    // 90% in a domain the client said they need (some eligible, some not), within four months of the
    // assessment; 10% for any client in any domain. 55% completed, the rest open or closed otherwise.
    await query(`CREATE TEMP TABLE bench_need AS
                 SELECT row_number() OVER (ORDER BY k, domain)::int AS rn, n, client_id, org, domain, assessed_on
                   FROM bench_domain WHERE need = 'yes'`);
    await query(`CREATE UNIQUE INDEX ON bench_need (rn)`);
    const [{ pool }] = (await query(`SELECT count(*)::int AS pool FROM bench_need`)) as Array<{ pool: number }>;
    await chunks(
      REFERRALS,
      CHUNK,
      (from, to) => `
      WITH base AS (
        SELECT s.j, b.client_id, b.org, b.domain,
               least(${Y1}, b.assessed_on + floor(pg_temp.u(s.j, 3) ^ 1.5 * 120)::int) AS referred_on
          FROM (SELECT j FROM generate_series(${from}, ${to}) j WHERE pg_temp.u(j, 1) < 0.9) s
          JOIN bench_need b ON b.rn = 1 + floor(pg_temp.u(s.j, 2) * ${pool})::int
        UNION ALL
        SELECT s.j, c.id, c.org,
               (ARRAY['health', 'health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit'])
                 [1 + floor(pg_temp.u(s.j, 4) * 7)::int],
               greatest(c.first_day, ${Y0}) + floor(pg_temp.u(s.j, 3) * (${Y1} - greatest(c.first_day, ${Y0}) + 1))::int
          FROM (SELECT j, least(${CLIENTS}, 1 + floor(${CLIENTS} * pg_temp.u(j, 2) ^ 1.4)::int) AS n
                  FROM generate_series(${from}, ${to}) j WHERE pg_temp.u(j, 1) >= 0.9) s
          JOIN bench_client c ON c.n = s.n
      ), shaped AS (
        SELECT b.*, o.id AS org_id,
               CASE b.domain
                 WHEN 'health' THEN (ARRAY['hiv_testing', 'hiv_testing', 'hiv_testing', 'sti_care', 'sti_care', 'arv',
                                           'prep', 'prep', 'methadone', 'reproductive_health', 'general_health'])
                                    [1 + floor(pg_temp.u(b.j, 5) * 11)::int]
                 WHEN 'psychosocial' THEN (ARRAY['counselling', 'counselling', 'counselling', 'gbv_support'])
                                          [1 + floor(pg_temp.u(b.j, 5) * 4)::int]
                 WHEN 'legal' THEN (ARRAY['legal_aid', 'documents', 'documents'])[1 + floor(pg_temp.u(b.j, 5) * 3)::int]
                 WHEN 'vocational' THEN 'training_course'
                 WHEN 'employment' THEN 'job_placement'
                 ELSE (ARRAY['vbsp_loan', 'microcredit'])[1 + floor(pg_temp.u(b.j, 5) * 2)::int] END AS service_type,
               CASE WHEN pg_temp.u(b.j, 6) < 0.1 THEN -1 ELSE floor(pg_temp.u(b.j, 7) * 3)::int END AS provider_k,
               pg_temp.u(b.j, 8) AS r_status,
               CASE WHEN pg_temp.u(b.j, 9) < 0.85 THEN 'app' ELSE 'import' END AS source
          FROM base b JOIN bench_org o ON o.idx = b.org
      ), dated AS (
        SELECT s.*,
               CASE WHEN r_status < 0.55 THEN 'completed' WHEN r_status < 0.64 THEN 'referred'
                    WHEN r_status < 0.71 THEN 'scheduled' WHEN r_status < 0.79 THEN 'no_show'
                    WHEN r_status < 0.86 THEN 'declined' WHEN r_status < 0.95 THEN 'lost' ELSE 'cancelled' END AS status,
               least(${Y1}, referred_on + 1 + floor(pg_temp.u(s.j, 10) ^ 2 * 45)::int) AS done_on,
               least(${Y1}, referred_on + floor(pg_temp.u(s.j, 11) * 30)::int) AS moved_on
          FROM shaped s
      )
      INSERT INTO referral (client_id, organization_id, domain, service_type, provider_id, referred_on, appointment_on,
                            status, status_on, completed_on, verification, last_activity_at, source, created_at, updated_at)
      SELECT d.client_id, d.org_id, d.domain, d.service_type, p.id, d.referred_on,
             CASE WHEN d.status IN ('scheduled', 'completed', 'no_show')
                  THEN d.referred_on + floor(pg_temp.u(d.j, 12) * 14)::int END,
             d.status,
             CASE d.status WHEN 'completed' THEN d.done_on WHEN 'referred' THEN d.referred_on ELSE d.moved_on END,
             CASE WHEN d.status = 'completed' THEN d.done_on END,
             CASE WHEN d.status = 'completed' AND d.source = 'app'
                  THEN (ARRAY['provider_confirmed', 'client_reported', 'document_seen'])
                       [1 + floor(pg_temp.u(d.j, 13) * 3)::int] END,
             (CASE d.status WHEN 'completed' THEN d.done_on WHEN 'referred' THEN d.referred_on ELSE d.moved_on END
               + time '16:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
             d.source,
             (d.referred_on + time '11:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
             (d.referred_on + time '11:00') AT TIME ZONE 'Asia/Ho_Chi_Minh'
        FROM dated d LEFT JOIN bench_provider p ON p.service_type = d.service_type AND p.k = d.provider_k`,
    );
  });

  await step(`${GROUPS} peer groups, weekly sessions`, async () => {
    // Groups in the program districts (their organization's), 15 members each, meeting most weeks.
    const groups = Array.from({ length: GROUPS }, (_, i) => {
      const [district, , organization] = PROGRAM[i % PROGRAM.length];
      return `(${i + 1}, '${district}', ${organization}, ${Math.floor(i / PROGRAM.length) * 15 + 1})`;
    });
    await query(`CREATE TEMP TABLE bench_group AS
                 SELECT g, md5('bench-group-' || g)::uuid AS id, district, org, member_lo
                   FROM (VALUES ${groups.join(', ')}) v(g, district, org, member_lo)`);
    await query(`INSERT INTO peer_group (id, organization_id, name, kind, district_code, founded_on)
                 SELECT g.id, o.id, 'Nhóm ' || g.g,
                        (ARRAY['peer_group', 'self_help_group', 'club'])[1 + g.g % 3], g.district, ${Y0} - 400
                   FROM bench_group g JOIN bench_org o ON o.idx = g.org`);
    await query(`CREATE TEMP TABLE bench_session AS
                 SELECT md5('bench-session-' || g.g || '-' || w)::uuid AS id, g.g, g.id AS group_id, g.district, g.org,
                        g.member_lo, ${Y0} + w * 7 + g.g % 7 AS day, pg_temp.u(g.g * 100 + w, 2) < 0.01 AS deleted
                   FROM bench_group g, generate_series(0, 51) w
                  WHERE pg_temp.u(g.g * 100 + w, 1) < 0.8`);
    await query(`INSERT INTO group_session (id, group_id, organization_id, session_date, duration_minutes, session_type,
                                            topics, recorded_by, created_at, updated_at, deleted_at)
                 SELECT s.id, s.group_id, o.id, s.day, 90,
                        (ARRAY['regular_meeting', 'regular_meeting', 'health_education', 'skills_training',
                               'gbv_support', 'legal_awareness'])[1 + (s.g + s.day - ${Y0}) % 6],
                        '{hiv_sti,condoms}', u.id,
                        (s.day + time '17:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                        (s.day + time '17:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                        CASE WHEN s.deleted THEN (s.day + time '20:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' END
                   FROM bench_session s JOIN bench_org o ON o.idx = s.org
                   JOIN app_user u ON u.username = 'bench-manager'`);
    await query(`INSERT INTO group_attendance (session_id, client_id)
                 SELECT s.id, c.id
                   FROM bench_session s
                   JOIN bench_client c ON c.district = s.district AND c.org = s.org
                                      AND c.rn_local BETWEEN s.member_lo AND s.member_lo + 14
                  WHERE pg_temp.u(c.n * 1000 + (s.day - ${Y0}), 3) < 0.55`);
  });
  // The session goes back to the app's pool: nothing of the generation may stay in it.
  await query(`RESET ALL`);
  await query(`DISCARD TEMP`);
}

async function main(): Promise<void> {
  if (process.env.DATABASE_URL) await onServer(process.env.DATABASE_URL);
  else await embedded();
}

/** On the PostgreSQL server of DATABASE_URL, in a database of its own. */
async function onServer(serverUrl: string): Promise<void> {
  const database = values.reuse ?? `nhipcau_bench_${process.pid}`;
  const benchUrl = new URL(serverUrl);
  benchUrl.pathname = `/${database}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const drop = async () => {
    if (values.keep || values.reuse) return;
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  };
  process.once('SIGINT', () => {
    process.stderr.write(`\nInterrupted: dropping ${database}\n`);
    drop()
      .catch(() => undefined)
      .finally(() => process.exit(130));
  });
  if (!values.reuse) await admin.query(`CREATE DATABASE "${database}"`);
  process.stdout.write(
    `Indicator benchmark on PostgreSQL (database ${database}${values.reuse ? ', reused' : ''}), year ${YEAR}\n`,
  );
  const work = mkdtempSync(join(tmpdir(), 'nc-bench-indicators-'));
  try {
    await run(benchUrl.href, join(work, 'data'));
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (values.keep && !values.reuse)
      process.stdout.write(`\nKept: ${database} (again: npm run bench:indicators -- --reuse ${database})\n`);
    await drop();
    await admin.end();
  }
}

/** On the embedded database, in a directory of its own. */
async function embedded(): Promise<void> {
  const directory = values.reuse ?? mkdtempSync(join(tmpdir(), 'nc-bench-indicators-'));
  const remove = () => {
    if (!values.keep && !values.reuse) rmSync(directory, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    process.stderr.write(`\nInterrupted: removing ${directory}\n`);
    remove();
    process.exit(130);
  });
  process.stdout.write(
    `Indicator benchmark on the embedded database (PGlite in ${directory}${values.reuse ? ', reused' : ''}), ` +
      `year ${YEAR}\nFor the figures of MISSION §7, run it on PostgreSQL: DATABASE_URL=postgres://… npm run bench:indicators\n`,
  );
  try {
    await run('', directory);
  } finally {
    if (values.keep && !values.reuse)
      process.stdout.write(`\nKept: ${directory} (again: npm run bench:indicators -- --reuse ${directory})\n`);
    remove();
  }
}

/** Boots the app on the benchmark database, fills it (unless reused), and times the dashboard. */
async function run(databaseUrl: string, dataDir: string): Promise<void> {
  const { resetEnvForTests } = await import('../src/config/env');
  resetEnvForTests({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    // Fixed benchmark keys (never used elsewhere).
    SESSION_SECRET: 'bench-session-secret-0123456789abcdef0123456789',
    UIC_KEY: Buffer.alloc(32, 3).toString('base64'),
    FIELD_KEYS: `v1:${Buffer.alloc(32, 5).toString('base64')}`,
    BACKUP_KEY: Buffer.alloc(32, 7).toString('base64'),
    LOG_LEVEL: 'silent',
    MIGRATIONS_RUN: 'true',
  });
  if (!databaseUrl) delete process.env.DATABASE_URL;
  const { Test } = await import('@nestjs/testing');
  const { DataSource } = await import('typeorm');
  const { AppModule } = await import('../src/app.module');
  const { Clock } = await import('../src/clock/clock');
  const { toActor } = await import('../src/auth/actor');
  const { UsersService } = await import('../src/users/users.service');
  const { IndicatorsService } = await import('../src/indicators/indicators.service');
  const { IndicatorsRepository, wholeMonths } = await import('../src/indicators/indicators.repository');
  const { GroupSessionsService } = await import('../src/groups/group-sessions.service');
  const { ReferralsService } = await import('../src/referrals/referrals.service');
  const { TargetsService } = await import('../src/targets/targets.service');
  const { yearPeriod } = await import('../src/indicators/indicator-period');
  const { pageOf } = await import('../src/web/pagination');

  class FixedClock extends Clock {
    override now(): Date {
      return new Date(TODAY);
    }
  }

  const booted = await timed(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(Clock)
      .useValue(new FixedClock())
      .compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    return moduleRef;
  });
  const app = booted.result;
  try {
    const dataSource = app.get(DataSource);
    line('app started (migrations applied)', seconds(booted.ms));
    const [server] = (await dataSource.query(
      `SELECT split_part(version(), ' ', 2) AS version, current_setting('jit') AS jit,
              current_setting('work_mem') AS work_mem, current_setting('shared_buffers') AS shared_buffers,
              current_setting('max_parallel_workers_per_gather') AS workers`,
    )) as Array<Record<string, string>>;
    line(
      'server',
      `PostgreSQL ${server.version}, jit ${server.jit}, work_mem ${server.work_mem}, ` +
        `shared_buffers ${server.shared_buffers}, ${server.workers} parallel workers per query`,
    );

    if (!values.reuse) {
      process.stdout.write(`\nGenerating (scale ${SCALE})\n`);
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      try {
        const total = await timed(() => generate((sql) => runner.query(sql)));
        const vacuum = await timed(() => runner.query(values['no-vacuum'] ? 'ANALYZE' : 'VACUUM (ANALYZE)'));
        line(values['no-vacuum'] ? 'ANALYZE' : 'VACUUM (ANALYZE)', seconds(vacuum.ms));
        line('generation in total', seconds(total.ms + vacuum.ms));
      } finally {
        await runner.release();
      }
    }

    process.stdout.write('\nRows\n');
    for (const table of [
      'client',
      'contact',
      'needs_assessment',
      'needs_assessment_domain',
      'referral',
      'group_session',
      'group_attendance',
      'indicator_client_day',
      'indicator_client_day_district',
      'indicator_need',
      'indicator_completion',
    ]) {
      const [{ n, size }] = (await dataSource.query(
        `SELECT count(*) AS n, pg_size_pretty(pg_total_relation_size('${table}')) AS size FROM ${table}`,
      )) as Array<{ n: string; size: string }>;
      line(table, `${thousands(n).padStart(10)}  ${size}`);
    }

    const [{ id: managerId }] = (await dataSource.query(
      `SELECT id FROM app_user WHERE username = 'bench-manager'`,
    )) as Array<{ id: string }>;
    const actor = toActor((await app.get(UsersService).loadSessionUser(managerId))!);
    const indicators = app.get(IndicatorsService);
    const period = yearPeriod(YEAR);
    const [biggest] = (await dataSource.query(
      `SELECT organization_id AS id, o.name, count(*)::int AS n FROM contact c JOIN organization o ON o.id = c.organization_id
        GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1`,
    )) as Array<{ id: string; name: string; n: number }>;

    const programDashboard = async () => indicators.dashboard(actor, await indicators.scopeFor('program'), period);
    const organizationDashboard = async () =>
      indicators.dashboard(actor, await indicators.scopeFor(actor, biggest.id), period);
    const countContacts = () => dataSource.query('SELECT count(*) FROM contact');

    // Timings on a busy machine say little: the load is printed beside them.
    const load = () => `${loadavg()[0].toFixed(1)} on ${cpus().length} cores`;
    process.stdout.write(
      `\nTimings: ${RUNS} runs after 1 warm-up, full year ${period.start} – ${period.end} (load average ${load()})\n`,
    );
    await countContacts();
    const dashboard = await programDashboard();
    const countMs: number[] = [];
    const dashboardMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      countMs.push((await timed(countContacts)).ms);
      dashboardMs.push((await timed(programDashboard)).ms);
    }
    await organizationDashboard();
    const organizationMs: number[] = [];
    for (let i = 0; i < RUNS; i++) organizationMs.push((await timed(organizationDashboard)).ms);
    const dashboardStats = statsOf(dashboardMs);
    line('SELECT count(*) FROM contact', statsText(statsOf(countMs)));
    line(
      'dashboard, program-wide (target < 500 ms)',
      `${statsText(dashboardStats)}  ${dashboardStats.median < 500 ? 'met' : 'NOT met'}`,
    );
    line(`dashboard, one organization (${thousands(biggest.n)} contacts)`, statsText(statsOf(organizationMs)));
    line('dashboard / count(*)', `${(dashboardStats.median / statsOf(countMs).median).toFixed(1)}×`);

    // Each query family of the program-wide dashboard alone (the dashboard runs them side by side).
    line('load average after the dashboard runs', load());
    const repository = app.get(IndicatorsRepository);
    const scope = await indicators.scopeFor('program');
    const q = { start: period.start, end: period.end, organizationIds: scope.organizations.map((o) => o.id) };
    const parts: Array<[string, () => Promise<unknown>]> = [
      ['reach (client-days, by contact district)', () => repository.reach(q)],
      [
        'monthFigures (reached, access rate, referrals; roll-ups)',
        () => repository.monthFigures(q, wholeMonths(q)!),
      ],
      ['exactFigures (the same, any period: custom ones)', () => repository.exactFigures(q)],
      ['reachByMonth', () => repository.reachByMonth(q)],
      ['outcomes by domain', () => repository.outcomes(q, 'domain')],
      ['outcomes by provider', () => repository.outcomes(q, 'provider')],
      ['peer-group activity', () => app.get(GroupSessionsService).indicatorRows(q.organizationIds, q.start, q.end)],
      ['follow-ups (own organization)', () => app.get(ReferralsService).followUps(actor, false, pageOf('1', 1))],
      ['target', () => app.get(TargetsService).resolve(YEAR, 'all')],
      ['scopeFor(program)', () => indicators.scopeFor('program')],
    ];
    process.stdout.write('\nEach query family alone (median, min, max)\n');
    for (const [label, run] of parts) {
      await run();
      const samples: number[] = [];
      for (let i = 0; i < RUNS; i++) samples.push((await timed(run)).ms);
      line(label, statsText(statsOf(samples)));
    }

    const { table } = dashboard.figures;
    const shown = (text: string) => (/^\d+$/.test(text) ? thousands(text) : text);
    const figure = (indicator: string, domain = 'ALL') => {
      const f = table.get(indicator, 'ALL', domain);
      return f.denominator ? `${f.value} (${shown(f.numerator)} / ${shown(f.denominator)})` : shown(f.numerator);
    };
    process.stdout.write(`\nFigures, program-wide, ${YEAR} (as the dashboard shows them)\n`);
    line('reach_contacts (target)', `${figure('reach_contacts')} (${thousands(dashboard.progress.target)})`);
    line('status, pace', `${dashboard.progress.status}, ${thousands(dashboard.progress.pacePerMonth)} a month`);
    line('reached_clients', figure('reached_clients'));
    line('access_rate', figure('access_rate'));
    for (const domain of ['health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit'])
      line(`  access_rate ${domain}`, figure('access_rate', domain));
    line('referrals_made / referrals_completed', `${figure('referrals_made')} / ${figure('referrals_completed')}`);
    line('group_sessions / group_members_reached', `${figure('group_sessions')} / ${figure('group_members_reached')}`);
    line(
      'follow-ups of the manager’s organization',
      dashboard.followUps ? `${dashboard.followUps.due} due, ${dashboard.followUps.overdue} overdue` : '–',
    );
    line('outcome rows (by domain / by provider)', `${dashboard.byDomain.length} / ${dashboard.byProvider.length}`);
    const hidden = table.all().filter((f) => f.hidden).length;
    line('cells hidden by small-cell suppression', `${hidden} of ${table.all().length}`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
