import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePeerGroups1795882712314 implements MigrationInterface {
  name = 'CreatePeerGroups1795882712314';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "peer_group" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "name" character varying(80) NOT NULL, "kind" character varying(20) NOT NULL, "district_code" character varying(60) NOT NULL, "founded_on" date NOT NULL, "active" boolean NOT NULL DEFAULT true, "submission_key" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_8e831ba36eb39880ef20386344d" UNIQUE ("submission_key"), CONSTRAINT "ck_peer_group_kind" CHECK ("kind" IN ('peer_group', 'self_help_group', 'club')), CONSTRAINT "PK_e351b1c386fb75193da6eed58df" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_peer_group_organization_name" ON "peer_group"  ("organization_id", "name") `,
    );
    await queryRunner.query(
      `CREATE TABLE "peer_group_coordinator" ("group_id" uuid NOT NULL, "user_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_729a7a7654c6695a4d30f07bf79" PRIMARY KEY ("group_id", "user_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_peer_group_coordinator_user" ON "peer_group_coordinator"  ("user_id") `);
    await queryRunner.query(
      `CREATE TABLE "group_membership" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "group_id" uuid NOT NULL, "client_id" uuid NOT NULL, "role" character varying(20) NOT NULL DEFAULT 'member', "joined_on" date NOT NULL, "left_on" date, "submission_key" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_eef92694dd440c832586b184486" UNIQUE ("submission_key"), CONSTRAINT "ck_group_membership_dates" CHECK ("left_on" IS NULL OR "left_on" >= "joined_on"), CONSTRAINT "ck_group_membership_role" CHECK ("role" IN ('member', 'leader', 'peer_educator')), CONSTRAINT "PK_b631623cf04fa74513b975e7059" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_group_membership_client" ON "group_membership"  ("client_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_group_membership_current" ON "group_membership"  ("group_id", "client_id") WHERE "left_on" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "group_session" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "group_id" uuid NOT NULL, "organization_id" uuid NOT NULL, "session_date" date NOT NULL, "duration_minutes" integer NOT NULL, "session_type" character varying(30) NOT NULL, "topics" character varying(20) array NOT NULL DEFAULT '{}', "facilitator_user_ids" uuid array NOT NULL DEFAULT '{}', "anonymous_attendees" integer NOT NULL DEFAULT '0', "condoms" integer NOT NULL DEFAULT '0', "lubricants" integer NOT NULL DEFAULT '0', "hiv_self_tests" integer NOT NULL DEFAULT '0', "counts_as_contact" boolean NOT NULL DEFAULT false, "note_cipher" text, "recorded_by" uuid NOT NULL, "submission_key" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "deleted_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "UQ_73403445a8f87f4c4e9a2484542" UNIQUE ("submission_key"), CONSTRAINT "ck_group_session_counts" CHECK ("anonymous_attendees" >= 0 AND "condoms" >= 0 AND "lubricants" >= 0 AND "hiv_self_tests" >= 0), CONSTRAINT "ck_group_session_duration" CHECK ("duration_minutes" BETWEEN 1 AND 720), CONSTRAINT "ck_group_session_topics" CHECK ("topics" <@ ARRAY['hiv_sti', 'condoms', 'gbv', 'legal_rights', 'labour_rights', 'services', 'mental_health', 'drug_use', 'other']::varchar[]), CONSTRAINT "ck_group_session_type" CHECK ("session_type" IN ('regular_meeting', 'skills_training', 'health_education', 'gbv_support', 'legal_awareness', 'livelihood', 'community_event', 'outreach')), CONSTRAINT "PK_ccf8f8652472e1d0e53204585ee" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_group_session_organization_date" ON "group_session"  ("organization_id", "session_date") `,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_group_session_group_date" ON "group_session"  ("group_id", "session_date") `,
    );
    await queryRunner.query(
      `CREATE TABLE "group_attendance" ("session_id" uuid NOT NULL, "client_id" uuid NOT NULL, "facilitated" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_5bf51f5fff5f34b395a71a70156" PRIMARY KEY ("session_id", "client_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "idx_group_attendance_client" ON "group_attendance"  ("client_id") `);
    await queryRunner.query(`ALTER TABLE "contact" ADD "group_session_id" uuid`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_contact_group_member_day" ON "contact"  ("client_id", "contact_date") WHERE "source" = 'group' AND "deleted_at" IS NULL`,
    );
    await queryRunner.query(`CREATE INDEX "idx_contact_group_session" ON "contact"  ("group_session_id") `);
    await queryRunner.query(
      `ALTER TABLE "peer_group" ADD CONSTRAINT "fk_peer_group_organization" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "peer_group" ADD CONSTRAINT "fk_peer_group_district" FOREIGN KEY ("district_code") REFERENCES "district"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "peer_group_coordinator" ADD CONSTRAINT "fk_peer_group_coordinator_group" FOREIGN KEY ("group_id") REFERENCES "peer_group"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "peer_group_coordinator" ADD CONSTRAINT "fk_peer_group_coordinator_user" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "group_membership" ADD CONSTRAINT "fk_group_membership_group" FOREIGN KEY ("group_id") REFERENCES "peer_group"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "group_membership" ADD CONSTRAINT "fk_group_membership_client" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "group_session" ADD CONSTRAINT "fk_group_session_group" FOREIGN KEY ("group_id") REFERENCES "peer_group"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "group_attendance" ADD CONSTRAINT "fk_group_attendance_session" FOREIGN KEY ("session_id") REFERENCES "group_session"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "group_attendance" ADD CONSTRAINT "fk_group_attendance_client" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "contact" ADD CONSTRAINT "fk_contact_group_session" FOREIGN KEY ("group_session_id") REFERENCES "group_session"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact" DROP CONSTRAINT "fk_contact_group_session"`);
    await queryRunner.query(`ALTER TABLE "group_attendance" DROP CONSTRAINT "fk_group_attendance_client"`);
    await queryRunner.query(`ALTER TABLE "group_attendance" DROP CONSTRAINT "fk_group_attendance_session"`);
    await queryRunner.query(`ALTER TABLE "group_session" DROP CONSTRAINT "fk_group_session_group"`);
    await queryRunner.query(`ALTER TABLE "group_membership" DROP CONSTRAINT "fk_group_membership_client"`);
    await queryRunner.query(`ALTER TABLE "group_membership" DROP CONSTRAINT "fk_group_membership_group"`);
    await queryRunner.query(`ALTER TABLE "peer_group_coordinator" DROP CONSTRAINT "fk_peer_group_coordinator_user"`);
    await queryRunner.query(`ALTER TABLE "peer_group_coordinator" DROP CONSTRAINT "fk_peer_group_coordinator_group"`);
    await queryRunner.query(`ALTER TABLE "peer_group" DROP CONSTRAINT "fk_peer_group_district"`);
    await queryRunner.query(`ALTER TABLE "peer_group" DROP CONSTRAINT "fk_peer_group_organization"`);
    await queryRunner.query(`DROP INDEX "public"."idx_contact_group_session"`);
    await queryRunner.query(`DROP INDEX "public"."uq_contact_group_member_day"`);
    await queryRunner.query(`ALTER TABLE "contact" DROP COLUMN "group_session_id"`);
    await queryRunner.query(`DROP INDEX "public"."idx_group_attendance_client"`);
    await queryRunner.query(`DROP TABLE "group_attendance"`);
    await queryRunner.query(`DROP INDEX "public"."idx_group_session_group_date"`);
    await queryRunner.query(`DROP INDEX "public"."idx_group_session_organization_date"`);
    await queryRunner.query(`DROP TABLE "group_session"`);
    await queryRunner.query(`DROP INDEX "public"."uq_group_membership_current"`);
    await queryRunner.query(`DROP INDEX "public"."idx_group_membership_client"`);
    await queryRunner.query(`DROP TABLE "group_membership"`);
    await queryRunner.query(`DROP INDEX "public"."idx_peer_group_coordinator_user"`);
    await queryRunner.query(`DROP TABLE "peer_group_coordinator"`);
    await queryRunner.query(`DROP INDEX "public"."uq_peer_group_organization_name"`);
    await queryRunner.query(`DROP TABLE "peer_group"`);
  }
}
