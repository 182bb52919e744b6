import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Tx } from '../database/transaction';
import { Organization } from '../organizations/organization.entity';
import type { AuditAction, AuditOutcome } from './audit-action';
import { AuditEvent } from './audit-event.entity';

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'occurredAt'> & { occurredAt?: Date };

export interface AuditSearch {
  /** Null: every organization (admins). */
  organizationIds: string[] | null;
  action?: AuditAction;
  actorName?: string;
  /** Inclusive lower bound. */
  from?: Date;
  /** Exclusive upper bound. */
  to?: Date;
  offset: number;
  limit: number;
}

/** One event as the viewer reads it: the event with its organization's code and name. */
export interface AuditEventRecord {
  id: string;
  occurredAt: Date;
  actorName: string;
  actorRole: string | null;
  organizationCode: string | null;
  organizationName: string | null;
  action: AuditAction;
  targetType: string | null;
  targetId: string | null;
  ipAddress: string | null;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
}

const RECORD_COLUMNS = [
  'e.id AS id',
  'e.occurred_at AS "occurredAt"',
  'e.actor_name AS "actorName"',
  'e.actor_role AS "actorRole"',
  'o.code AS "organizationCode"',
  'o.name AS "organizationName"',
  'e.action AS action',
  'e.target_type AS "targetType"',
  'e.target_id AS "targetId"',
  'e.ip_address AS "ipAddress"',
  'e.outcome AS outcome',
  'e.details AS details',
];

/**
 * The INSERT of one event, to be written in the same statement as the change it audits (a `WITH` query:
 * one round trip, and a single statement commits or fails as a whole, like a transaction).
 * Placeholders are numbered from `firstParameter`.
 */
export function auditInsertStatement(
  event: NewAuditEvent,
  firstParameter: number,
): { sql: string; parameters: unknown[] } {
  const values = [
    event.actorUserId,
    event.actorName,
    event.actorRole,
    event.organizationId,
    event.action,
    event.targetType,
    event.targetId,
    event.ipAddress,
    event.outcome,
    JSON.stringify(event.details ?? {}),
  ];
  const placeholders = values.map((_, i) => `$${firstParameter + i}`);
  placeholders[placeholders.length - 1] += '::jsonb';
  return {
    sql:
      'INSERT INTO audit_event (actor_user_id, actor_name, actor_role, organization_id, action, target_type, ' +
      `target_id, ip_address, outcome, details) VALUES (${placeholders.join(', ')})`,
    parameters: values,
  };
}

/** Append and read only: there is no update or delete here, and the database refuses both anyway. */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async append(tx: Tx | null, event: NewAuditEvent): Promise<void> {
    const target = tx ? tx.getRepository(AuditEvent) : this.events;
    // details is a closed, JSON-safe record; TypeORM's deep-partial type cannot see that.
    await target.insert(event as QueryDeepPartialEntity<AuditEvent>);
  }

  /** Newest first. The organization filter is the actor's scope, applied in the query itself. */
  async search(query: AuditSearch): Promise<{ rows: AuditEventRecord[]; total: number }> {
    const qb = this.inScope(query.organizationIds);
    if (query.action) qb.andWhere('e.action = :action', { action: query.action });
    // Usernames are lower-case; a manager typing "Lan" means "lan".
    if (query.actorName) qb.andWhere('lower(e.actor_name) = lower(:actor)', { actor: query.actorName });
    if (query.from) qb.andWhere('e.occurred_at >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.occurred_at < :to', { to: query.to });
    const [rows, total] = await Promise.all([
      qb
        .clone()
        .select(RECORD_COLUMNS)
        .orderBy('e.occurred_at', 'DESC')
        .addOrderBy('e.id', 'DESC')
        .offset(query.offset)
        .limit(query.limit)
        .getRawMany<AuditEventRecord>(),
      qb.getCount(),
    ]);
    return { rows, total };
  }

  async findVisible(organizationIds: string[] | null, id: string): Promise<AuditEventRecord | null> {
    const row = await this.inScope(organizationIds)
      .andWhere('e.id = :id', { id })
      .select(RECORD_COLUMNS)
      .getRawOne<AuditEventRecord>();
    return row ?? null;
  }

  private inScope(organizationIds: string[] | null): SelectQueryBuilder<AuditEvent> {
    const qb = this.events.createQueryBuilder('e').leftJoin(Organization, 'o', 'o.id = e.organization_id');
    // An event without an organization (failed login of an unknown name, the CLI) is for admins only.
    if (organizationIds) qb.where('e.organization_id = ANY(:orgs)', { orgs: organizationIds });
    return qb;
  }
}
