import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateFoundation1795871913565 implements MigrationInterface {
  name = 'CreateFoundation1795871913565';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "audit_event" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "actor_user_id" uuid, "actor_name" character varying(80) NOT NULL, "actor_role" character varying(20), "organization_id" uuid, "action" character varying(60) NOT NULL, "target_type" character varying(40), "target_id" character varying(80), "ip_address" character varying(64), "outcome" character varying(10) NOT NULL, "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_481efbe8b0a403efe3f47a6528f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_audit_event_time" ON "audit_event"  ("occurred_at") `);
    await queryRunner.query(
      `CREATE INDEX "idx_audit_event_org_time" ON "audit_event"  ("organization_id", "occurred_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "login_throttle" ("key" character varying(80) NOT NULL, "failures" integer NOT NULL DEFAULT '0', "window_started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_14c03bac82292a8310c54cb98d0" PRIMARY KEY ("key"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "district" ("code" character varying(60) NOT NULL, "name" character varying(120) NOT NULL, "kind" character varying(10) NOT NULL, "active" boolean NOT NULL DEFAULT true, "sort_order" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_fbfe5cb0d22c2be8c9a9fff5b6b" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "organization" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "code" character varying(40) NOT NULL, "name" character varying(200) NOT NULL, "active" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_aa6e74e96ed2dddfcf09782110a" UNIQUE ("code"), CONSTRAINT "PK_472c1f99a32def1b0abb219cd67" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "app_user" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "username" character varying(60) NOT NULL, "password_hash" character varying(200) NOT NULL, "role" character varying(20) NOT NULL, "organization_id" uuid NOT NULL, "active" boolean NOT NULL DEFAULT true, "must_change_password" boolean NOT NULL DEFAULT false, "totp_secret_cipher" text, "totp_enabled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_c480e576dd71729addbc2d51b67" UNIQUE ("username"), CONSTRAINT "PK_22a5c4a3d9b2fb8e4e73fc4ada1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "manager_organization_grant" ("user_id" uuid NOT NULL, "organization_id" uuid NOT NULL, CONSTRAINT "PK_2db5f4aeba9e3121500f50957f1" PRIMARY KEY ("user_id", "organization_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "app_user" ADD CONSTRAINT "fk_app_user_organization" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "manager_organization_grant" ADD CONSTRAINT "fk_grant_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "manager_organization_grant" ADD CONSTRAINT "fk_grant_organization" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "manager_organization_grant" DROP CONSTRAINT "fk_grant_organization"`);
    await queryRunner.query(`ALTER TABLE "manager_organization_grant" DROP CONSTRAINT "fk_grant_user"`);
    await queryRunner.query(`ALTER TABLE "app_user" DROP CONSTRAINT "fk_app_user_organization"`);
    await queryRunner.query(`DROP TABLE "manager_organization_grant"`);
    await queryRunner.query(`DROP TABLE "app_user"`);
    await queryRunner.query(`DROP TABLE "organization"`);
    await queryRunner.query(`DROP TABLE "district"`);
    await queryRunner.query(`DROP TABLE "login_throttle"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_event_org_time"`);
    await queryRunner.query(`DROP INDEX "public"."idx_audit_event_time"`);
    await queryRunner.query(`DROP TABLE "audit_event"`);
  }
}
