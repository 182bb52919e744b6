import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReferrals1795880694479 implements MigrationInterface {
  name = 'CreateReferrals1795880694479';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "service_provider" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "name_key" character varying(200) NOT NULL, "domains" character varying(20) array NOT NULL DEFAULT '{}', "service_types" character varying(30) array NOT NULL DEFAULT '{}', "district_code" character varying(60), "address" character varying(300), "phone" character varying(40), "opening_hours" character varying(200), "kp_friendly" boolean NOT NULL DEFAULT false, "active" boolean NOT NULL DEFAULT true, "needs_review" boolean NOT NULL DEFAULT false, "sample" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_f3ade541b77da4627f695adec1c" UNIQUE ("name_key"), CONSTRAINT "ck_service_provider_service_types" CHECK ("service_types" <@ ARRAY['hiv_testing', 'sti_care', 'arv', 'prep', 'methadone', 'reproductive_health', 'general_health', 'counselling', 'gbv_support', 'legal_aid', 'documents', 'training_course', 'job_placement', 'vbsp_loan', 'microcredit']::varchar[]), CONSTRAINT "ck_service_provider_domains" CHECK ("domains" <@ ARRAY['health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit']::varchar[]), CONSTRAINT "PK_7610a92ca242cb29d96009caa19" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "referral" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "client_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "domain" character varying(20) NOT NULL, "service_type" character varying(30) NOT NULL, "provider_id" uuid, "referred_on" date NOT NULL, "referring_worker_id" uuid, "appointment_on" date, "status" character varying(12) NOT NULL DEFAULT 'referred', "status_on" date NOT NULL, "completed_on" date, "verification" character varying(20), "note_cipher" text, "outcome_note_cipher" text, "slip_code" character varying(12), "pin_cipher" text, "slip_expires_on" date, "last_activity_at" TIMESTAMP WITH TIME ZONE NOT NULL, "source" character varying(10) NOT NULL DEFAULT 'app', "submission_key" uuid, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_2eb60c8f1e96b8b2282d12e938e" UNIQUE ("slip_code"), CONSTRAINT "UQ_2587181739e798c8414db88008a" UNIQUE ("submission_key"), CONSTRAINT "ck_referral_source" CHECK ("source" IN ('app', 'import')), CONSTRAINT "ck_referral_dates" CHECK ("completed_on" >= "referred_on" AND "status_on" >= "referred_on"), CONSTRAINT "ck_referral_completion" CHECK ("status" <> 'completed' OR ("completed_on" IS NOT NULL AND ("verification" IS NOT NULL OR "source" = 'import'))), CONSTRAINT "ck_referral_verification" CHECK ("verification" IS NULL OR "verification" IN ('provider_confirmed', 'client_reported', 'document_seen')), CONSTRAINT "ck_referral_status" CHECK ("status" IN ('referred', 'scheduled', 'completed', 'declined', 'no_show', 'lost', 'cancelled')), CONSTRAINT "ck_referral_service_type" CHECK (("domain", "service_type") IN (('health', 'hiv_testing'), ('health', 'sti_care'), ('health', 'arv'), ('health', 'prep'), ('health', 'methadone'), ('health', 'reproductive_health'), ('health', 'general_health'), ('psychosocial', 'counselling'), ('psychosocial', 'gbv_support'), ('legal', 'legal_aid'), ('legal', 'documents'), ('vocational', 'training_course'), ('employment', 'job_placement'), ('credit', 'vbsp_loan'), ('credit', 'microcredit'))), CONSTRAINT "ck_referral_domain" CHECK ("domain" IN ('health', 'psychosocial', 'legal', 'vocational', 'employment', 'credit')), CONSTRAINT "PK_a2d3e935a6591168066defec5ad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_referral_org_completed" ON "referral"  ("organization_id", "completed_on") WHERE "status" = 'completed'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_referral_open_activity" ON "referral"  ("organization_id", "last_activity_at") WHERE "status" IN ('referred', 'scheduled', 'no_show')`,
    );
    await queryRunner.query(`CREATE INDEX "idx_referral_provider" ON "referral"  ("provider_id") `);
    await queryRunner.query(`CREATE INDEX "idx_referral_client" ON "referral"  ("client_id", "referred_on") `);
    await queryRunner.query(
      `CREATE INDEX "idx_referral_org_referred" ON "referral"  ("organization_id", "referred_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "referral_event" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "referral_id" uuid NOT NULL, "from_status" character varying(12), "to_status" character varying(12) NOT NULL, "status_on" date NOT NULL, "appointment_on" date, "verification" character varying(20), "actor_kind" character varying(10) NOT NULL, "actor_id" uuid, "correction" boolean NOT NULL DEFAULT false, "note_cipher" text, "version" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_referral_event_actor" CHECK ("actor_kind" IN ('user', 'provider', 'import')), CONSTRAINT "ck_referral_event_status" CHECK ("to_status" IN ('referred', 'scheduled', 'completed', 'declined', 'no_show', 'lost', 'cancelled')), CONSTRAINT "PK_1f356dbe2fffc9e93b0132e1216" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_referral_event_referral" ON "referral_event"  ("referral_id", "version") `,
    );
    await queryRunner.query(
      `ALTER TABLE "referral" ADD CONSTRAINT "fk_referral_client" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "referral" ADD CONSTRAINT "fk_referral_provider" FOREIGN KEY ("provider_id") REFERENCES "service_provider"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "referral_event" ADD CONSTRAINT "fk_referral_event_referral" FOREIGN KEY ("referral_id") REFERENCES "referral"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "referral_event" DROP CONSTRAINT "fk_referral_event_referral"`);
    await queryRunner.query(`ALTER TABLE "referral" DROP CONSTRAINT "fk_referral_provider"`);
    await queryRunner.query(`ALTER TABLE "referral" DROP CONSTRAINT "fk_referral_client"`);
    await queryRunner.query(`DROP INDEX "public"."idx_referral_event_referral"`);
    await queryRunner.query(`DROP TABLE "referral_event"`);
    await queryRunner.query(`DROP INDEX "public"."idx_referral_org_referred"`);
    await queryRunner.query(`DROP INDEX "public"."idx_referral_client"`);
    await queryRunner.query(`DROP INDEX "public"."idx_referral_provider"`);
    await queryRunner.query(`DROP INDEX "public"."idx_referral_open_activity"`);
    await queryRunner.query(`DROP INDEX "public"."idx_referral_org_completed"`);
    await queryRunner.query(`DROP TABLE "referral"`);
    await queryRunner.query(`DROP TABLE "service_provider"`);
  }
}
