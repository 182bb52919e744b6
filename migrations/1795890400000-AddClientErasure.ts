import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure by crypto-shredding (MISSION §2 rule 8): an erased client is a tombstone that keeps only what
 * the indicators need (organization, primary district, dates). Gender, birth year and work setting are
 * cleared with the codes, so they become nullable; two checks keep the rules in the database itself:
 * a tombstone holds no code, alias or key, and a client that is not erased keeps its details.
 */
export class AddClientErasure1795890400000 implements MigrationInterface {
  name = 'AddClientErasure1795890400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client" ADD "erased_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "client" ALTER COLUMN "gender" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "client" ALTER COLUMN "birth_year" DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE "client" ALTER COLUMN "work_setting" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "client" ADD CONSTRAINT "ck_client_erased" CHECK (("status" = 'erased') = ("erased_at" IS NOT NULL) AND ("status" <> 'erased' OR ("uic_hash" IS NULL AND "display_code" IS NULL AND "alias_cipher" IS NULL AND "data_key_cipher" IS NULL)))`,
    );
    await queryRunner.query(
      `ALTER TABLE "client" ADD CONSTRAINT "ck_client_details" CHECK ("status" = 'erased' OR ("gender" IS NOT NULL AND "birth_year" IS NOT NULL AND "work_setting" IS NOT NULL))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "client" DROP CONSTRAINT "ck_client_details"`);
    await queryRunner.query(`ALTER TABLE "client" DROP CONSTRAINT "ck_client_erased"`);
    // Tombstones have no details left: they cannot go back under NOT NULL, so the step back refuses
    // to run while any exists rather than invent values.
    await queryRunner.query(`ALTER TABLE "client" ALTER COLUMN "work_setting" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "client" ALTER COLUMN "birth_year" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "client" ALTER COLUMN "gender" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "client" DROP COLUMN "erased_at"`);
  }
}
