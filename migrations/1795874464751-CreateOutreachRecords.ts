import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOutreachRecords1795874464751 implements MigrationInterface {
  name = 'CreateOutreachRecords1795874464751';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "client" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "uic_hash" character varying(64), "display_code" character varying(7), "gender" character varying(20) NOT NULL, "birth_year" integer NOT NULL, "primary_district" character varying(60) NOT NULL, "work_setting" character varying(20) NOT NULL, "first_contact_date" date NOT NULL, "consent_date" date NOT NULL, "consent_worker_id" uuid, "consent_notice_version" character varying(20) NOT NULL, "alias_cipher" text, "data_key_cipher" text, "status" character varying(10) NOT NULL DEFAULT 'active', "merged_into_id" uuid, "submission_key" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_f8e2bba827992cfb3fc15d72284" UNIQUE ("display_code"), CONSTRAINT "UQ_aa2c6d452d4be93b688189254ca" UNIQUE ("submission_key"), CONSTRAINT "ck_client_birth_year" CHECK ("birth_year" BETWEEN 1940 AND 2030), CONSTRAINT "ck_client_status" CHECK ("status" IN ('active', 'erased', 'merged')), CONSTRAINT "ck_client_work_setting" CHECK ("work_setting" IN ('street', 'massage', 'karaoke_bar', 'hotel', 'online', 'other')), CONSTRAINT "ck_client_gender" CHECK ("gender" IN ('female', 'male', 'trans_female', 'trans_male', 'other')), CONSTRAINT "PK_96da49381769303a6515a8785c7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_client_uic_hash" ON "client"  ("uic_hash") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_client_organization_uic" ON "client"  ("organization_id", "uic_hash") WHERE "uic_hash" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "needs_assessment" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "client_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "worker_id" uuid, "assessed_on" date NOT NULL, "violence" character varying(10), "submission_key" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_40ba496b6c7e3cbf60c24c2ccb8" UNIQUE ("submission_key"), CONSTRAINT "ck_assessment_violence" CHECK ("violence" IS NULL OR "violence" IN ('yes', 'no', 'declined')), CONSTRAINT "PK_2448efba1f3c1e84aec85cdde74" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_assessment_client_date" ON "needs_assessment"  ("client_id", "assessed_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "needs_assessment_domain" ("assessment_id" uuid NOT NULL, "domain" character varying(20) NOT NULL, "client_id" uuid NOT NULL, "assessed_on" date NOT NULL, "need" character varying(8) NOT NULL, "eligible" character varying(8) NOT NULL, CONSTRAINT "ck_assessment_domain_eligible" CHECK ("eligible" IN ('yes', 'no', 'unknown')), CONSTRAINT "ck_assessment_domain_need" CHECK ("need" IN ('yes', 'no', 'unknown')), CONSTRAINT "ck_assessment_domain_domain" CHECK ("domain" IN ('health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit')), CONSTRAINT "PK_7ab085a50cf1a9294af87c2dea2" PRIMARY KEY ("assessment_id", "domain"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_assessment_domain_latest" ON "needs_assessment_domain"  ("client_id", "domain", "assessed_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "anonymous_contact_tally" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "worker_id" uuid NOT NULL, "contact_date" date NOT NULL, "district_code" character varying(60) NOT NULL, "modality" character varying(10) NOT NULL, "count" integer NOT NULL DEFAULT '1', "submission_key" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_e62c00a32c92e8b93cec4781c9f" UNIQUE ("submission_key"), CONSTRAINT "ck_anonymous_tally_count" CHECK ("count" BETWEEN 1 AND 1000), CONSTRAINT "ck_anonymous_tally_modality" CHECK ("modality" IN ('street', 'venue', 'online', 'phone', 'office', 'peer', 'group')), CONSTRAINT "PK_537abf078f5393dc2cbb72bafb4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_anonymous_tally_org_date" ON "anonymous_contact_tally"  ("organization_id", "contact_date") `,
    );
    await queryRunner.query(
      `CREATE TABLE "contact" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "client_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "worker_id" uuid, "contact_date" date NOT NULL, "modality" character varying(10) NOT NULL, "district_code" character varying(60) NOT NULL, "topics" character varying(20) array NOT NULL DEFAULT '{}', "condoms" integer NOT NULL DEFAULT '0', "lubricants" integer NOT NULL DEFAULT '0', "hiv_self_tests" integer NOT NULL DEFAULT '0', "note_cipher" text, "source" character varying(10) NOT NULL DEFAULT 'app', "submission_key" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_e9856f2f878daf8dc7f3fdeb869" UNIQUE ("submission_key"), CONSTRAINT "ck_contact_source" CHECK ("source" IN ('app', 'import', 'group')), CONSTRAINT "ck_contact_commodities" CHECK ("condoms" >= 0 AND "lubricants" >= 0 AND "hiv_self_tests" >= 0), CONSTRAINT "ck_contact_topics" CHECK ("topics" <@ ARRAY['hiv_sti', 'condoms', 'gbv', 'legal_rights', 'labour_rights', 'services', 'mental_health', 'drug_use', 'other']::varchar[]), CONSTRAINT "ck_contact_modality" CHECK ("modality" IN ('street', 'venue', 'online', 'phone', 'office', 'peer', 'group')), CONSTRAINT "PK_2cbbe00f59ab6b3bb5b8d19f989" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_contact_worker_date" ON "contact"  ("worker_id", "contact_date") `);
    await queryRunner.query(`CREATE INDEX "idx_contact_client_date" ON "contact"  ("client_id", "contact_date") `);
    await queryRunner.query(`CREATE INDEX "idx_contact_org_date" ON "contact"  ("organization_id", "contact_date") `);
    await queryRunner.query(
      `ALTER TABLE "client" ADD CONSTRAINT "fk_client_organization" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "client" ADD CONSTRAINT "fk_client_district" FOREIGN KEY ("primary_district") REFERENCES "district"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "needs_assessment" ADD CONSTRAINT "fk_assessment_client" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "needs_assessment_domain" ADD CONSTRAINT "fk_assessment_domain_assessment" FOREIGN KEY ("assessment_id") REFERENCES "needs_assessment"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact" ADD CONSTRAINT "fk_contact_client" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact" DROP CONSTRAINT "fk_contact_client"`);
    await queryRunner.query(`ALTER TABLE "needs_assessment_domain" DROP CONSTRAINT "fk_assessment_domain_assessment"`);
    await queryRunner.query(`ALTER TABLE "needs_assessment" DROP CONSTRAINT "fk_assessment_client"`);
    await queryRunner.query(`ALTER TABLE "client" DROP CONSTRAINT "fk_client_district"`);
    await queryRunner.query(`ALTER TABLE "client" DROP CONSTRAINT "fk_client_organization"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_org_date"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_client_date"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_worker_date"`);
    await queryRunner.query(`DROP TABLE "contact"`);
    await queryRunner.query(`DROP INDEX "public"."idx_anonymous_tally_org_date"`);
    await queryRunner.query(`DROP TABLE "anonymous_contact_tally"`);
    await queryRunner.query(`DROP INDEX "public"."idx_assessment_domain_latest"`);
    await queryRunner.query(`DROP TABLE "needs_assessment_domain"`);
    await queryRunner.query(`DROP INDEX "public"."idx_assessment_client_date"`);
    await queryRunner.query(`DROP TABLE "needs_assessment"`);
    await queryRunner.query(`DROP INDEX "public"."uq_client_organization_uic"`);
    await queryRunner.query(`DROP INDEX "public"."idx_client_uic_hash"`);
    await queryRunner.query(`DROP TABLE "client"`);
  }
}
