import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Tx } from '../database/transaction';
import type { AuditAction } from './audit-action';
import { AuditEvent } from './audit-event.entity';

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'occurredAt'> & { occurredAt?: Date };

export interface AuditSearch {
  /** Null: every organization (admins). */
  organizationIds: string[] | null;
  action?: AuditAction;
  actorName?: string;
  from?: Date;
  to?: Date;
  offset: number;
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEvent) private readonly events: Repository<AuditEvent>) {}

  async append(tx: Tx | null, event: NewAuditEvent): Promise<void> {
    const target = tx ? tx.getRepository(AuditEvent) : this.events;
    // details is a closed, JSON-safe record; TypeORM's deep-partial type cannot see that.
    await target.insert(event as QueryDeepPartialEntity<AuditEvent>);
  }

  async search(query: AuditSearch): Promise<{ rows: AuditEvent[]; total: number }> {
    const qb = this.events.createQueryBuilder('e');
    if (query.organizationIds) qb.andWhere('e.organizationId = ANY(:orgs)', { orgs: query.organizationIds });
    if (query.action) qb.andWhere('e.action = :action', { action: query.action });
    if (query.actorName) qb.andWhere('e.actorName = :actor', { actor: query.actorName });
    if (query.from) qb.andWhere('e.occurredAt >= :from', { from: query.from });
    if (query.to) qb.andWhere('e.occurredAt < :to', { to: query.to });
    const [rows, total] = await qb
      .orderBy('e.occurredAt', 'DESC')
      .addOrderBy('e.id', 'DESC')
      .offset(query.offset)
      .limit(query.limit)
      .getManyAndCount();
    return { rows, total };
  }

  findVisible(organizationIds: string[] | null, id: string): Promise<AuditEvent | null> {
    const qb = this.events.createQueryBuilder('e').where('e.id = :id', { id });
    if (organizationIds) qb.andWhere('e.organizationId = ANY(:orgs)', { orgs: organizationIds });
    return qb.getOne();
  }
}
