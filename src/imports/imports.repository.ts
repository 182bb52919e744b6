import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { NeedsAssessment, NeedsAssessmentDomain } from '../assessments/needs-assessment.entity';
import { Client } from '../clients/client.entity';
import { Contact } from '../contacts/contact.entity';
import type { Tx } from '../database/transaction';
import { providerNameKey } from '../providers/service-provider.entity';
import { Referral, ReferralEvent } from '../referrals/referral.entity';
import { ImportJob } from './import-job.entity';
import type { ImportStatus } from './import-kinds';
import { UUID } from '../web/form-rules';

export type NewImportJob = Pick<ImportJob, 'organizationId' | 'kind' | 'source' | 'createdById' | 'createdByName'>;
export type JobChanges = Partial<Omit<ImportJob, 'id' | 'organizationId' | 'organization' | 'createdAt'>>;

export type NewClientRow = Omit<Client, 'id' | 'createdAt' | 'updatedAt' | 'organization' | 'district'>;
export type NewContactRow = Omit<Contact, 'id' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'client'>;
export type NewAssessmentRow = Omit<NeedsAssessment, 'createdAt' | 'client'>;
export type NewAssessmentDomainRow = Omit<NeedsAssessmentDomain, 'assessment'>;
export type NewReferralRow = Omit<Referral, 'createdAt' | 'updatedAt' | 'client' | 'provider'>;
export type NewReferralEventRow = Omit<ReferralEvent, 'id' | 'createdAt' | 'referral'>;

/**
 * The import jobs, and the bulk reads and writes of an import. The writes insert many rows per
 * statement into the tables of the clients, contacts, assessments and referrals modules; they live here rather
 * than in those repositories because only an import writes in bulk, always inside its one transaction.
 */
@Injectable()
export class ImportsRepository {
  constructor(@InjectRepository(ImportJob) private readonly jobs: Repository<ImportJob>) {}

  createJob(job: NewImportJob): Promise<ImportJob> {
    return this.jobs.save(this.jobs.create({ ...job, status: 'queued' }));
  }

  async updateJob(id: string, changes: JobChanges, tx?: Tx): Promise<void> {
    await (tx ? tx.getRepository(ImportJob) : this.jobs).update({ id }, changes);
  }

  findInOrganization(organizationId: string, id: string): Promise<ImportJob | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.jobs.findOneBy({ id, organizationId });
  }

  listRecent(organizationId: string, limit: number): Promise<ImportJob[]> {
    return this.jobs.find({
      where: { organizationId },
      order: { createdAt: 'DESC' },
      take: limit,
      // The list never needs the bad rows, which may weigh a few hundred kilobytes per job.
      select: {
        id: true,
        kind: true,
        status: true,
        source: true,
        createdByName: true,
        format: true,
        rowCount: true,
        badRowCount: true,
        problem: true,
        createdAt: true,
        finishedAt: true,
      },
    });
  }

  listUnfinished(): Promise<ImportJob[]> {
    const unfinished: ImportStatus[] = ['queued', 'validating', 'importing'];
    return this.jobs.find({
      where: { status: In(unfinished) },
      select: { id: true, organizationId: true, kind: true, status: true },
    });
  }

  /** Active clients of the organization among these code hashes: hash → client id, and whether the client
   *  restricted the processing of their data (nothing may be added to a restricted record). */
  async activeClientsByHash(
    organizationId: string,
    hashes: string[],
  ): Promise<Map<string, { id: string; restricted: boolean }>> {
    if (!hashes.length) return new Map();
    const rows: Array<{ id: string; uic_hash: string; restricted: boolean }> = await this.jobs.manager.query(
      `SELECT id, uic_hash, restricted_at IS NOT NULL AS restricted
         FROM client WHERE organization_id = $1 AND status = 'active' AND uic_hash = ANY($2::varchar[])`,
      [organizationId, hashes],
    );
    return new Map(rows.map((r) => [r.uic_hash, { id: r.id, restricted: r.restricted }]));
  }

  /** Codes already held by a client of the organization (as the unique index sees them, whatever the status). */
  async registeredHashes(organizationId: string, hashes: string[]): Promise<Set<string>> {
    if (!hashes.length) return new Set();
    const rows: Array<{ uic_hash: string }> = await this.jobs.manager.query(
      `SELECT uic_hash FROM client WHERE organization_id = $1 AND uic_hash = ANY($2::varchar[])`,
      [organizationId, hashes],
    );
    return new Set(rows.map((r) => r.uic_hash));
  }

  /**
   * Locks the clients an import refers to until it commits (a merge, an erasure or a restriction waits),
   * and says whether they are all still active, unrestricted clients of the organization.
   */
  async lockActiveClients(tx: Tx, organizationId: string, ids: string[]): Promise<boolean> {
    if (!ids.length) return true;
    const rows: Array<{ id: string }> = await tx.query(
      `SELECT id FROM client
        WHERE organization_id = $1 AND status = 'active' AND restricted_at IS NULL AND id = ANY($2::uuid[])
          FOR SHARE`,
      [organizationId, ids],
    );
    return rows.length === ids.length;
  }

  /** The directory entry holding this name (compared as `providerNameKey` folds it), seen from the import's transaction. */
  async providerIdByName(tx: Tx, name: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM service_provider WHERE name_key = $1`, [
      providerNameKey(name),
    ]);
    return rows[0]?.id ?? null;
  }

  async takenDisplayCodes(tx: Tx, codes: string[]): Promise<Set<string>> {
    if (!codes.length) return new Set();
    const rows: Array<{ display_code: string }> = await tx.query(
      `SELECT display_code FROM client WHERE display_code = ANY($1::varchar[])`,
      [codes],
    );
    return new Set(rows.map((r) => r.display_code));
  }

  async insertClients(tx: Tx, rows: NewClientRow[]): Promise<void> {
    if (rows.length) await tx.createQueryBuilder().insert().into(Client).values(rows).updateEntity(false).execute();
  }

  async insertContacts(tx: Tx, rows: NewContactRow[]): Promise<void> {
    if (rows.length) await tx.createQueryBuilder().insert().into(Contact).values(rows).updateEntity(false).execute();
  }

  async insertAssessments(tx: Tx, assessments: NewAssessmentRow[], domains: NewAssessmentDomainRow[]): Promise<void> {
    if (assessments.length) {
      await tx.createQueryBuilder().insert().into(NeedsAssessment).values(assessments).updateEntity(false).execute();
    }
    if (domains.length) {
      await tx.createQueryBuilder().insert().into(NeedsAssessmentDomain).values(domains).updateEntity(false).execute();
    }
  }

  /** Referrals first, then their history lines (which refer to them). */
  async insertReferrals(tx: Tx, referrals: NewReferralRow[], events: NewReferralEventRow[]): Promise<void> {
    if (referrals.length) {
      await tx.createQueryBuilder().insert().into(Referral).values(referrals).updateEntity(false).execute();
    }
    if (events.length) {
      await tx.createQueryBuilder().insert().into(ReferralEvent).values(events).updateEntity(false).execute();
    }
  }
}
