import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Client } from '../clients/client.entity';
import type { Tx } from '../database/transaction';
import { UUID } from '../web/form-rules';
import {
  type ClosedStatus,
  type OutcomeReason,
  PrivacyRequest,
  type PrivacyRequestStatus,
  type PrivacyRequestType,
} from './privacy-request.entity';

export type NewPrivacyRequest = Omit<
  PrivacyRequest,
  | 'id'
  | 'createdAt'
  | 'updatedAt'
  | 'organization'
  | 'client'
  | 'handler'
  | 'creator'
  | 'status'
  | 'outcomeReason'
  | 'outcomeNoteCipher'
  | 'handledBy'
  | 'closedOn'
  | 'version'
>;

export interface Closing {
  status: ClosedStatus;
  outcomeReason: OutcomeReason;
  outcomeNoteCipher: string | null;
  handledBy: string;
  closedOn: string;
}

/** A request in a list or on its page: codes, days and names, never a note. */
export interface PrivacyRequestRow {
  id: string;
  clientId: string;
  /** Null once the client was erased or merged. */
  displayCode: string | null;
  clientStatus: string;
  type: PrivacyRequestType;
  receivedOn: string;
  dueOn: string;
  status: PrivacyRequestStatus;
  outcomeReason: OutcomeReason | null;
  closedOn: string | null;
  handledByName: string | null;
  createdByName: string | null;
}

const DAY = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

const ROW_COLUMNS = `r.id, r.client_id AS "clientId", c.display_code AS "displayCode", c.status AS "clientStatus",
  r.type, ${DAY('r.received_on')} AS "receivedOn", ${DAY('r.due_on')} AS "dueOn", r.status,
  r.outcome_reason AS "outcomeReason", ${DAY('r.closed_on')} AS "closedOn",
  h.username AS "handledByName", u.username AS "createdByName"`;

const ROW_FROM = `privacy_request r
  JOIN client c ON c.id = r.client_id
  LEFT JOIN app_user h ON h.id = r.handled_by
  LEFT JOIN app_user u ON u.id = r.created_by`;

@Injectable()
export class PrivacyRequestsRepository {
  constructor(@InjectRepository(PrivacyRequest) private readonly requests: Repository<PrivacyRequest>) {}

  insert(tx: Tx, request: NewPrivacyRequest): Promise<PrivacyRequest> {
    const repo = tx.getRepository(PrivacyRequest);
    return repo.save(repo.create({ ...request, status: 'open', version: 1 }));
  }

  findBySubmissionKey(submissionKey: string): Promise<PrivacyRequest | null> {
    return this.requests.findOneBy({ submissionKey });
  }

  /** A request of the organization (whatever became of its client); null for anything else. */
  findInOrganization(organizationId: string, id: string): Promise<PrivacyRequest | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    return this.requests.findOneBy({ id, organizationId });
  }

  async rowOf(id: string): Promise<PrivacyRequestRow | null> {
    const rows: PrivacyRequestRow[] = await this.requests.manager.query(
      `SELECT ${ROW_COLUMNS} FROM ${ROW_FROM} WHERE r.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Every open request of the organization, the nearest deadline first. */
  listOpen(organizationId: string): Promise<PrivacyRequestRow[]> {
    return this.requests.manager.query(
      `SELECT ${ROW_COLUMNS} FROM ${ROW_FROM}
        WHERE r.organization_id = $1 AND r.status = 'open'
        ORDER BY r.due_on, r.received_on, r.created_at`,
      [organizationId],
    );
  }

  /** Closed requests, the latest closed first, one page at a time. */
  async listClosed(
    organizationId: string,
    offset: number,
    limit: number,
  ): Promise<{ rows: PrivacyRequestRow[]; total: number }> {
    const [{ total }]: Array<{ total: number }> = await this.requests.manager.query(
      `SELECT count(*)::int AS total FROM privacy_request WHERE organization_id = $1 AND status <> 'open'`,
      [organizationId],
    );
    const rows: PrivacyRequestRow[] = await this.requests.manager.query(
      `SELECT ${ROW_COLUMNS} FROM ${ROW_FROM}
        WHERE r.organization_id = $1 AND r.status <> 'open'
        ORDER BY r.closed_on DESC, r.updated_at DESC
        OFFSET $2 LIMIT $3`,
      [organizationId, offset, limit],
    );
    return { rows, total };
  }

  /** Open requests whose deadline day is before `today`. */
  async countOverdue(organizationId: string, today: string): Promise<number> {
    const [{ overdue }]: Array<{ overdue: number }> = await this.requests.manager.query(
      `SELECT count(*)::int AS overdue FROM privacy_request
        WHERE organization_id = $1 AND status = 'open' AND due_on < $2::date`,
      [organizationId, today],
    );
    return overdue;
  }

  /** A client's requests (the data summary), the latest received first. */
  listForClient(clientId: string): Promise<PrivacyRequest[]> {
    return this.requests.find({ where: { clientId }, order: { receivedOn: 'DESC', createdAt: 'DESC' } });
  }

  /** Closes an open request if it is still at `version`; returns the new version, or null. */
  async closeIfVersion(tx: Tx, id: string, version: number, closing: Closing): Promise<number | null> {
    const result = await tx
      .getRepository(PrivacyRequest)
      .createQueryBuilder()
      .update()
      .set({ ...closing, version: () => 'version + 1' })
      .where("id = :id AND version = :version AND status = 'open'", { id, version })
      .execute();
    return result.affected === 1 ? version + 1 : null;
  }

  /**
   * Marks the client restricted (or lifts it) if it is not already; false when another request did it
   * first. The row lock also makes a running import of this client's rows finish first.
   */
  async setRestriction(tx: Tx, clientId: string, restricted: { at: Date; by: string } | null): Promise<boolean> {
    const result = await tx
      .getRepository(Client)
      .createQueryBuilder()
      .update()
      .set({ restrictedAt: restricted?.at ?? null, restrictedBy: restricted?.by ?? null })
      .where(`id = :clientId AND status = 'active' AND restricted_at IS ${restricted ? 'NULL' : 'NOT NULL'}`, {
        clientId,
      })
      .execute();
    return result.affected === 1;
  }
}
