import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { auditInsertStatement, NewAuditEvent } from '../audit/audit.repository';
import type { Actor } from '../auth/actor';
import { runPrepared } from '../database/prepared';
import type { Tx } from '../database/transaction';
import type { Modality } from '../reference/codes';
import { Contact } from './contact.entity';
import { UUID } from '../web/form-rules';

export type NewContact = Omit<
  Contact,
  'id' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'client' | 'groupSession' | 'groupSessionId'
> & { groupSessionId?: string | null };

export interface ContactFilters {
  from?: string;
  to?: string;
  districtCode?: string;
  modality?: Modality;
  workerId?: string;
}

/** A contact row for lists: the client's display code, never anything else about them. */
export interface ContactListRow {
  id: string;
  clientId: string;
  displayCode: string | null;
  contactDate: string;
  modality: Modality;
  districtCode: string;
  workerId: string | null;
  workerName: string | null;
  /** Set on the contacts a group session records (changed only through that session). */
  groupSessionId: string | null;
  topics: string[];
  condoms: number;
  lubricants: number;
  hivSelfTests: number;
}

@Injectable()
export class ContactsRepository {
  constructor(@InjectRepository(Contact) private readonly contacts: Repository<Contact>) {}

  /** A contact of the actor's organization; a peer coordinator reaches only the contacts they recorded
   *  (never a note written by a social worker). */
  findVisibleTo(actor: Actor, id: string): Promise<Contact | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.contacts.findOneBy({
      id,
      organizationId: actor.organizationId,
      deletedAt: IsNull(),
      ...(actor.role === 'peer_coordinator' ? { workerId: actor.userId } : {}),
    });
  }

  findBySubmissionKey(submissionKey: string): Promise<Contact | null> {
    return this.contacts.findOneBy({ submissionKey });
  }

  /** A plain INSERT … RETURNING (not `save`, which costs a read and a diff on the hot path). */
  async insert(tx: Tx, contact: NewContact): Promise<Contact> {
    const result = await tx.getRepository(Contact).insert(contact);
    const generated = result.generatedMaps[0] as Pick<Contact, 'id' | 'createdAt' | 'updatedAt'>;
    return { ...contact, ...generated, groupSessionId: contact.groupSessionId ?? null, deletedAt: null } as Contact;
  }

  /**
   * The contact and its audit event in one statement (`WITH … INSERT`): one round trip instead of four
   * (BEGIN, two INSERTs, COMMIT), and still both rows or neither, since a statement commits or fails as a
   * whole. The id is chosen here so that the event can name it; the statement triggers of the indicator
   * tables fire as for any INSERT. A second use of the submission key fails with a unique violation.
   */
  async insertAudited(contact: NewContact, auditOf: (id: string) => NewAuditEvent): Promise<Contact> {
    const id = randomUUID();
    const values = [
      id,
      contact.clientId,
      contact.organizationId,
      contact.workerId,
      contact.contactDate,
      contact.modality,
      contact.districtCode,
      contact.topics,
      contact.condoms,
      contact.lubricants,
      contact.hivSelfTests,
      contact.noteCipher,
      contact.source,
      contact.submissionKey,
      contact.groupSessionId ?? null,
    ];
    const audit = auditInsertStatement(auditOf(id), values.length + 1);
    const rows = await runPrepared<Pick<Contact, 'createdAt' | 'updatedAt'>>(
      this.contacts.manager,
      {
        name: 'contacts.insert_audited',
        text:
          `WITH audit AS (${audit.sql}) ` +
          'INSERT INTO contact (id, client_id, organization_id, worker_id, contact_date, modality, district_code, ' +
          'topics, condoms, lubricants, hiv_self_tests, note_cipher, source, submission_key, group_session_id) ' +
          `VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING created_at AS "createdAt", updated_at AS "updatedAt"`,
      },
      [...values, ...audit.parameters],
    );
    return { ...contact, id, ...rows[0], groupSessionId: contact.groupSessionId ?? null, deletedAt: null } as Contact;
  }

  /** The live contact a group session recorded for this client on this day (at most one: a unique index). */
  groupContactOn(tx: Tx, clientId: string, contactDate: string): Promise<Contact | null> {
    return tx.getRepository(Contact).findOneBy({ clientId, contactDate, source: 'group', deletedAt: IsNull() });
  }

  async update(tx: Tx, id: string, changes: Partial<NewContact & { deletedAt: Date | null }>): Promise<void> {
    await tx.getRepository(Contact).update({ id }, changes);
  }

  /** The organization's staff who may record contacts (the worker filter of the list); admins excluded. */
  workersOf(organizationId: string): Promise<Array<{ id: string; username: string }>> {
    return this.contacts.manager.query(
      `SELECT id, username FROM app_user WHERE organization_id = $1 AND role <> 'admin' ORDER BY username`,
      [organizationId],
    );
  }

  /** The client's contacts, newest first; only those one worker recorded when `workerId` is given. */
  listForClient(clientId: string, limit = 50, workerId?: string): Promise<Contact[]> {
    return this.contacts.find({
      where: { clientId, deletedAt: IsNull(), ...(workerId ? { workerId } : {}) },
      order: { contactDate: 'DESC', createdAt: 'DESC' },
      take: limit,
    });
  }

  /** The organization's contacts, newest first, with the filters of the list page. */
  async list(organizationId: string, filters: ContactFilters, offset: number, limit: number) {
    const qb = this.contacts
      .createQueryBuilder('k')
      .innerJoin('k.client', 'c')
      .leftJoin('app_user', 'u', 'u.id = k.worker_id')
      .where('k.organizationId = :organizationId AND k.deletedAt IS NULL', { organizationId });
    if (filters.from) qb.andWhere('k.contactDate >= :from', { from: filters.from });
    if (filters.to) qb.andWhere('k.contactDate <= :to', { to: filters.to });
    if (filters.districtCode) qb.andWhere('k.districtCode = :district', { district: filters.districtCode });
    if (filters.modality) qb.andWhere('k.modality = :modality', { modality: filters.modality });
    if (filters.workerId) qb.andWhere('k.workerId = :workerId', { workerId: filters.workerId });
    const total = await qb.getCount();
    const rows = await qb
      .select([
        'k.id AS id',
        'k.client_id AS "clientId"',
        'c.display_code AS "displayCode"',
        'to_char(k.contact_date, \'YYYY-MM-DD\') AS "contactDate"',
        'k.modality AS modality',
        'k.district_code AS "districtCode"',
        'k.worker_id AS "workerId"',
        'u.username AS "workerName"',
        'k.group_session_id AS "groupSessionId"',
        'k.topics AS topics',
        'k.condoms AS condoms',
        'k.lubricants AS lubricants',
        'k.hiv_self_tests AS "hivSelfTests"',
      ])
      .orderBy('k.contact_date', 'DESC')
      .addOrderBy('k.created_at', 'DESC')
      .offset(offset)
      .limit(limit)
      .getRawMany<ContactListRow>();
    return { rows, total };
  }
}
