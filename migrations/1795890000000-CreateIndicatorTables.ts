import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The small tables the indicators of MISSION §5 read, kept up to date by the database itself in the
 * transaction of every write (statement triggers with transition tables, so an import of 1,000 rows
 * costs one statement per table, and no writer — web form, import, merge, group session — can forget):
 *
 * - `indicator_client_day`: one row per (client, day) with a contact (deleted contacts excluded) —
 *   `reach_contacts` is a count of rows, `reached_clients` a count of distinct clients.
 * - `indicator_client_day_district`: the same per contact district (a client seen in two districts on
 *   one day counts once in each district, once overall).
 * - `indicator_need`: the days on which Need(c, d, ·) holds, as intervals [from_day, to_day) between
 *   one assessment and the next (same-day assessments: the one recorded last is in force).
 * - `indicator_completion`: the days on which a client had a referral completed, per domain.
 *
 * Erased clients keep their tombstone row, so nothing here changes at erasure (§5).
 */
const addContacts = (rows: string) => `
  INSERT INTO indicator_client_day AS t (client_id, day, organization_id, contacts)
  SELECT n.client_id, n.contact_date, c.organization_id, count(*)
    FROM ${rows} n JOIN client c ON c.id = n.client_id
   WHERE n.deleted_at IS NULL
   GROUP BY n.client_id, n.contact_date, c.organization_id
  ON CONFLICT (client_id, day) DO UPDATE SET contacts = t.contacts + EXCLUDED.contacts;
  INSERT INTO indicator_client_day_district AS t (client_id, day, district_code, organization_id, contacts)
  SELECT n.client_id, n.contact_date, n.district_code, c.organization_id, count(*)
    FROM ${rows} n JOIN client c ON c.id = n.client_id
   WHERE n.deleted_at IS NULL
   GROUP BY n.client_id, n.contact_date, n.district_code, c.organization_id
  ON CONFLICT (client_id, day, district_code) DO UPDATE SET contacts = t.contacts + EXCLUDED.contacts;`;

const removeContacts = (rows: string) => `
  UPDATE indicator_client_day t SET contacts = t.contacts - o.n
    FROM (SELECT client_id, contact_date, count(*) AS n FROM ${rows} WHERE deleted_at IS NULL
           GROUP BY client_id, contact_date) o
   WHERE t.client_id = o.client_id AND t.day = o.contact_date;
  DELETE FROM indicator_client_day t USING ${rows} o
   WHERE t.client_id = o.client_id AND t.day = o.contact_date AND t.contacts <= 0;
  UPDATE indicator_client_day_district t SET contacts = t.contacts - o.n
    FROM (SELECT client_id, contact_date, district_code, count(*) AS n FROM ${rows} WHERE deleted_at IS NULL
           GROUP BY client_id, contact_date, district_code) o
   WHERE t.client_id = o.client_id AND t.day = o.contact_date AND t.district_code = o.district_code;
  DELETE FROM indicator_client_day_district t USING ${rows} o
   WHERE t.client_id = o.client_id AND t.day = o.contact_date AND t.district_code = o.district_code
     AND t.contacts <= 0;`;

/** Recomputes the need intervals of every (client, domain) named in `keys` from the assessments. */
const recomputeNeeds = (keys: string) => `
  DELETE FROM indicator_need n USING (${keys}) k WHERE n.client_id = k.client_id AND n.domain = k.domain;
  INSERT INTO indicator_need (client_id, domain, from_day, to_day)
  SELECT client_id, domain, assessed_on, next_on FROM (
    SELECT d.client_id, d.domain, d.assessed_on, d.need, d.eligible,
           lead(d.assessed_on) OVER (PARTITION BY d.client_id, d.domain
                                     ORDER BY d.assessed_on, a.created_at, d.assessment_id) AS next_on
      FROM needs_assessment_domain d
      JOIN needs_assessment a ON a.id = d.assessment_id
      JOIN (SELECT DISTINCT client_id, domain FROM (${keys}) k0) k
        ON k.client_id = d.client_id AND k.domain = d.domain
  ) s
  WHERE need = 'yes' AND eligible = 'yes' AND (next_on IS NULL OR next_on > assessed_on);`;

const addCompletions = (rows: string) => `
  INSERT INTO indicator_completion AS t (client_id, domain, day, referrals)
  SELECT client_id, domain, completed_on, count(*) FROM ${rows}
   WHERE status = 'completed' AND completed_on IS NOT NULL
   GROUP BY client_id, domain, completed_on
  ON CONFLICT (client_id, domain, day) DO UPDATE SET referrals = t.referrals + EXCLUDED.referrals;`;

const removeCompletions = (rows: string) => `
  UPDATE indicator_completion t SET referrals = t.referrals - o.n
    FROM (SELECT client_id, domain, completed_on, count(*) AS n FROM ${rows}
           WHERE status = 'completed' AND completed_on IS NOT NULL
           GROUP BY client_id, domain, completed_on) o
   WHERE t.client_id = o.client_id AND t.domain = o.domain AND t.day = o.completed_on;
  DELETE FROM indicator_completion t USING ${rows} o
   WHERE t.client_id = o.client_id AND t.domain = o.domain AND t.day = o.completed_on AND t.referrals <= 0;`;

const KEYS_OF = (rows: string) => `SELECT client_id, domain FROM ${rows}`;

/** Per table, the body of the trigger function for INSERT, UPDATE and DELETE statements. */
const TRIGGERS: Array<{ table: string; name: string; insert: string; update: string; delete: string }> = [
  {
    table: 'contact',
    name: 'contact',
    insert: addContacts('new_rows'),
    update: removeContacts('old_rows') + addContacts('new_rows'),
    delete: removeContacts('old_rows'),
  },
  {
    table: 'needs_assessment_domain',
    name: 'assessment',
    insert: recomputeNeeds(KEYS_OF('new_rows')),
    update: recomputeNeeds(`${KEYS_OF('old_rows')} UNION ${KEYS_OF('new_rows')}`),
    delete: recomputeNeeds(KEYS_OF('old_rows')),
  },
  {
    table: 'referral',
    name: 'referral',
    insert: addCompletions('new_rows'),
    update: removeCompletions('old_rows') + addCompletions('new_rows'),
    delete: removeCompletions('old_rows'),
  },
];

const EVENTS = [
  { event: 'INSERT', key: 'insert', suffix: 'inserted', referencing: 'NEW TABLE AS new_rows' },
  { event: 'UPDATE', key: 'update', suffix: 'updated', referencing: 'OLD TABLE AS old_rows NEW TABLE AS new_rows' },
  { event: 'DELETE', key: 'delete', suffix: 'deleted', referencing: 'OLD TABLE AS old_rows' },
] as const;

export class CreateIndicatorTables1795890000000 implements MigrationInterface {
  name = 'CreateIndicatorTables1795890000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "indicator_client_day" ("client_id" uuid NOT NULL, "day" date NOT NULL, "organization_id" uuid NOT NULL, "contacts" integer NOT NULL, CONSTRAINT "ck_indicator_client_day_contacts" CHECK ("contacts" >= 0), CONSTRAINT "pk_indicator_client_day" PRIMARY KEY ("client_id", "day"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_indicator_client_day_org_day" ON "indicator_client_day" ("organization_id", "day") INCLUDE ("client_id")`,
    );
    await queryRunner.query(
      `CREATE TABLE "indicator_client_day_district" ("client_id" uuid NOT NULL, "day" date NOT NULL, "district_code" character varying(60) NOT NULL, "organization_id" uuid NOT NULL, "contacts" integer NOT NULL, CONSTRAINT "ck_indicator_client_day_district_contacts" CHECK ("contacts" >= 0), CONSTRAINT "pk_indicator_client_day_district" PRIMARY KEY ("client_id", "day", "district_code"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_indicator_client_day_district_org_day" ON "indicator_client_day_district" ("organization_id", "day") INCLUDE ("district_code")`,
    );
    await queryRunner.query(
      `CREATE TABLE "indicator_need" ("client_id" uuid NOT NULL, "domain" character varying(20) NOT NULL, "from_day" date NOT NULL, "to_day" date, CONSTRAINT "pk_indicator_need" PRIMARY KEY ("client_id", "domain", "from_day"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "indicator_completion" ("client_id" uuid NOT NULL, "domain" character varying(20) NOT NULL, "day" date NOT NULL, "referrals" integer NOT NULL, CONSTRAINT "ck_indicator_completion_referrals" CHECK ("referrals" >= 0), CONSTRAINT "pk_indicator_completion" PRIMARY KEY ("client_id", "domain", "day"))`,
    );
    for (const t of TRIGGERS) {
      for (const e of EVENTS) {
        const fn = `indicator_${t.name}_${e.suffix}`;
        await queryRunner.query(
          `CREATE FUNCTION "${fn}"() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN ${t[e.key]} RETURN NULL; END $body$`,
        );
        await queryRunner.query(
          `CREATE TRIGGER "trg_${fn}" AFTER ${e.event} ON "${t.table}" REFERENCING ${e.referencing} FOR EACH STATEMENT EXECUTE FUNCTION "${fn}"()`,
        );
      }
    }
    // Facts recorded before this migration.
    await queryRunner.query(`DO $body$ BEGIN
      CREATE TEMP TABLE new_rows ON COMMIT DROP AS SELECT * FROM contact;
      ${addContacts('new_rows')}
      DROP TABLE new_rows;
      ${recomputeNeeds('SELECT DISTINCT client_id, domain FROM needs_assessment_domain')}
      CREATE TEMP TABLE new_rows ON COMMIT DROP AS SELECT * FROM referral;
      ${addCompletions('new_rows')}
      DROP TABLE new_rows;
    END $body$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const t of TRIGGERS) {
      for (const e of EVENTS) {
        const fn = `indicator_${t.name}_${e.suffix}`;
        await queryRunner.query(`DROP TRIGGER "trg_${fn}" ON "${t.table}"`);
        await queryRunner.query(`DROP FUNCTION "${fn}"()`);
      }
    }
    await queryRunner.query(`DROP TABLE "indicator_completion"`);
    await queryRunner.query(`DROP TABLE "indicator_need"`);
    await queryRunner.query(`DROP TABLE "indicator_client_day_district"`);
    await queryRunner.query(`DROP TABLE "indicator_client_day"`);
  }
}
