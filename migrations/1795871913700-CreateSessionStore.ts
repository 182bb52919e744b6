import { MigrationInterface, QueryRunner } from 'typeorm';

/** Server-side sessions (connect-pg-simple's layout), created here rather than by the store at run time. */
export class CreateSessionStore1795871913700 implements MigrationInterface {
  name = 'CreateSessionStore1795871913700';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "user_session" (
      "sid" varchar NOT NULL PRIMARY KEY,
      "sess" json NOT NULL,
      "expire" timestamp(6) NOT NULL)`);
    await queryRunner.query(`CREATE INDEX "idx_user_session_expire" ON "user_session" ("expire")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "user_session"`);
  }
}
