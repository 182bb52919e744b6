import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTargets1795890100000 implements MigrationInterface {
  name = 'CreateTargets1795890100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "target" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "year" integer NOT NULL, "organization_id" uuid, "district_code" character varying(60), "reach_target" integer NOT NULL, "access_target" numeric(5,4) NOT NULL, "updated_by" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_target_access" CHECK ("access_target" > 0 AND "access_target" <= 1), CONSTRAINT "ck_target_reach" CHECK ("reach_target" > 0), CONSTRAINT "ck_target_year" CHECK ("year" BETWEEN 2000 AND 2100), CONSTRAINT "PK_9d962204b13c18851ea88fc72f3" PRIMARY KEY ("id"))`,
    );
    // Hand-written (the entity declares it with synchronize: false): NULL never equals NULL in a unique
    // index, so "program-wide" and "no district" are folded to fixed values to allow one row per scope.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_target_scope" ON "target" ("year", COALESCE("organization_id", '00000000-0000-0000-0000-000000000000'::uuid), COALESCE("district_code", ''))`,
    );
    await queryRunner.query(
      `ALTER TABLE "target" ADD CONSTRAINT "fk_target_organization" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "target" ADD CONSTRAINT "fk_target_district" FOREIGN KEY ("district_code") REFERENCES "district"("code") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "target" ADD CONSTRAINT "fk_target_updated_by" FOREIGN KEY ("updated_by") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "target" DROP CONSTRAINT "fk_target_updated_by"`);
    await queryRunner.query(`ALTER TABLE "target" DROP CONSTRAINT "fk_target_district"`);
    await queryRunner.query(`ALTER TABLE "target" DROP CONSTRAINT "fk_target_organization"`);
    await queryRunner.query(`DROP INDEX "public"."uq_target_scope"`);
    await queryRunner.query(`DROP TABLE "target"`);
  }
}
