import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `reached_clients` and the access rate start from the distinct clients with a client-day in [S, E] of
 * the organizations in scope (IndicatorsRepository.clientFigures). PostgreSQL reads them in client order
 * from the primary key (client_id, day) but had to visit the table for every client-day to check its
 * organization: for a program-wide year in `npm run bench:indicators` (985,000 client-days), about
 * 600 ms under load. With the organization carried in the key's index (INCLUDE: not part of the key, so
 * the upserts of the contact triggers still conflict on (client_id, day)), the same read is an index-only
 * scan: about 230 ms, no visit to the table. Still one index, so writes cost about the same.
 */
export class CoverIndicatorClientDays1795890450000 implements MigrationInterface {
  name = 'CoverIndicatorClientDays1795890450000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "indicator_client_day" DROP CONSTRAINT "pk_indicator_client_day", ADD CONSTRAINT "pk_indicator_client_day" PRIMARY KEY ("client_id", "day") INCLUDE ("organization_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "indicator_client_day" DROP CONSTRAINT "pk_indicator_client_day", ADD CONSTRAINT "pk_indicator_client_day" PRIMARY KEY ("client_id", "day")`,
    );
  }
}
