import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePrivacyRequests1795890300000 implements MigrationInterface {
  name = 'CreatePrivacyRequests1795890300000';

  /** Data-subject requests (see, restrict, erase) with their deadline and outcome; a client's restriction. */
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "privacy_request" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "client_id" uuid NOT NULL, "type" character varying(10) NOT NULL, "received_on" date NOT NULL, "due_on" date NOT NULL, "status" character varying(10) NOT NULL DEFAULT 'open', "note_cipher" text, "outcome_reason" character varying(30), "outcome_note_cipher" text, "handled_by" uuid, "closed_on" date, "created_by" uuid NOT NULL, "submission_key" uuid, "version" integer NOT NULL DEFAULT '1', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_privacy_request_submission_key" UNIQUE ("submission_key"), CONSTRAINT "ck_privacy_request_dates" CHECK ("due_on" >= "received_on" AND "closed_on" >= "received_on"), CONSTRAINT "ck_privacy_request_closed" CHECK (("status" = 'open' AND "closed_on" IS NULL AND "outcome_reason" IS NULL) OR ("status" <> 'open' AND "closed_on" IS NOT NULL AND "outcome_reason" IS NOT NULL)), CONSTRAINT "ck_privacy_request_reason" CHECK ("outcome_reason" IS NULL OR "outcome_reason" IN ('carried_out', 'carried_out_in_part', 'identity_not_confirmed', 'legal_obligation', 'withdrawn_by_client', 'other')), CONSTRAINT "ck_privacy_request_status" CHECK ("status" IN ('open', 'done', 'refused')), CONSTRAINT "ck_privacy_request_type" CHECK ("type" IN ('see', 'restrict', 'erase')), CONSTRAINT "PK_0f0855b007a744a88b91ef3b7b8" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_privacy_request_client" ON "privacy_request"  ("client_id") `);
    await queryRunner.query(
      `CREATE INDEX "idx_privacy_request_org_closed" ON "privacy_request"  ("organization_id", "closed_on") WHERE "status" <> 'open'`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_privacy_request_org_open" ON "privacy_request"  ("organization_id", "due_on") WHERE "status" = 'open'`,
    );
    await queryRunner.query(`ALTER TABLE "client" ADD "restricted_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "client" ADD "restricted_by" uuid`);
    await queryRunner.query(
      `ALTER TABLE "privacy_request" ADD CONSTRAINT "fk_privacy_request_organization" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "privacy_request" ADD CONSTRAINT "fk_privacy_request_client" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "privacy_request" ADD CONSTRAINT "fk_privacy_request_handled_by" FOREIGN KEY ("handled_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "privacy_request" ADD CONSTRAINT "fk_privacy_request_created_by" FOREIGN KEY ("created_by") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP CONSTRAINT "fk_privacy_request_created_by"`);
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP CONSTRAINT "fk_privacy_request_handled_by"`);
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP CONSTRAINT "fk_privacy_request_client"`);
    await queryRunner.query(`ALTER TABLE "privacy_request" DROP CONSTRAINT "fk_privacy_request_organization"`);
    await queryRunner.query(`ALTER TABLE "client" DROP COLUMN "restricted_by"`);
    await queryRunner.query(`ALTER TABLE "client" DROP COLUMN "restricted_at"`);
    await queryRunner.query(`DROP INDEX "public"."idx_privacy_request_org_open"`);
    await queryRunner.query(`DROP INDEX "public"."idx_privacy_request_org_closed"`);
    await queryRunner.query(`DROP INDEX "public"."idx_privacy_request_client"`);
    await queryRunner.query(`DROP TABLE "privacy_request"`);
  }
}
