import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateImportJobs1795874991636 implements MigrationInterface {
  name = 'CreateImportJobs1795874991636';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "import_job" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "organization_id" uuid NOT NULL, "kind" character varying(20) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'queued', "source" character varying(4) NOT NULL, "created_by_id" uuid, "created_by_name" character varying(80) NOT NULL, "format" character varying(4), "row_count" integer, "bad_row_count" integer NOT NULL DEFAULT '0', "bad_rows" jsonb NOT NULL DEFAULT '[]', "created" jsonb NOT NULL DEFAULT '{}', "problem" character varying(40), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "finished_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "ck_import_job_source" CHECK ("source" IN ('web', 'cli')), CONSTRAINT "ck_import_job_status" CHECK ("status" IN ('queued', 'validating', 'importing', 'completed', 'rejected', 'failed')), CONSTRAINT "ck_import_job_kind" CHECK ("kind" IN ('clients', 'assessments', 'contacts', 'referrals')), CONSTRAINT "PK_65b4c7eccb8120972a7b8da7682" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_import_job_org_created" ON "import_job"  ("organization_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "import_job" ADD CONSTRAINT "fk_import_job_organization" FOREIGN KEY ("organization_id") REFERENCES "organization"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "import_job" DROP CONSTRAINT "fk_import_job_organization"`);
    await queryRunner.query(`DROP INDEX "public"."idx_import_job_org_created"`);
    await queryRunner.query(`DROP TABLE "import_job"`);
  }
}
