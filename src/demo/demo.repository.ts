import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What a database already holds that the demo must never mix with (any of it means real use). */
export interface ExistingRecords {
  organizations: number;
  users: number;
  clients: number;
  contacts: number;
  referrals: number;
}

@Injectable()
export class DemoRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Counts (capped at 1,000 each: only "none" matters) of the records that make a database not empty. */
  async existingRecords(): Promise<ExistingRecords> {
    const count = (table: string) => `(SELECT count(*) FROM (SELECT 1 FROM ${table} LIMIT 1000) AS t)::int`;
    const [row] = (await this.dataSource.query(
      `SELECT ${count('organization')} AS organizations, ${count('app_user')} AS users,
              ${count('client')} AS clients, ${count('contact')} AS contacts, ${count('referral')} AS referrals`,
    )) as ExistingRecords[];
    return row;
  }
}
