import { Injectable, NotFoundException } from '@nestjs/common';
import { userInfo } from 'node:os';
import type { Actor } from '../auth/actor';
import type { Tx } from '../database/transaction';
import type { AuditAction, AuditOutcome } from './audit-action';
import { AuditEventRecord, AuditRepository, AuditSearch, NewAuditEvent } from './audit.repository';

/** Who acts, from where: a signed-in user, an anonymous visitor (failed login) or the CLI. */
export interface AuditContext {
  actorUserId: string | null;
  actorName: string;
  actorRole: string | null;
  organizationId: string | null;
  ipAddress: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  outcome?: AuditOutcome;
  target?: { type: string; id: string };
  /** Overrides the actor's organization (e.g. the organization of the record acted upon). */
  organizationId?: string | null;
  /** Closed, non-personal details only: field names, counts, codes. Never free text. */
  details?: Record<string, unknown>;
}

export const actorContext = (actor: Actor, ipAddress: string | null): AuditContext => ({
  actorUserId: actor.userId,
  actorName: actor.username,
  actorRole: actor.role,
  organizationId: actor.organizationId,
  ipAddress,
});

export const anonymousContext = (ipAddress: string | null): AuditContext => ({
  actorUserId: null,
  actorName: 'anonymous',
  actorRole: null,
  organizationId: null,
  ipAddress,
});

/** The command line acts as the OS user who runs it. */
export const cliContext = (): AuditContext => ({
  actorUserId: null,
  actorName: `cli:${userInfo().username}`.slice(0, 80),
  actorRole: null,
  organizationId: null,
  ipAddress: null,
});

/** The row an audit entry becomes. */
export const auditEvent = (context: AuditContext, entry: AuditEntry): NewAuditEvent => ({
  ...context,
  organizationId: entry.organizationId === undefined ? context.organizationId : entry.organizationId,
  action: entry.action,
  outcome: entry.outcome ?? 'success',
  targetType: entry.target?.type ?? null,
  targetId: entry.target?.id ?? null,
  details: entry.details ?? {},
});

@Injectable()
export class AuditService {
  constructor(private readonly auditRepository: AuditRepository) {}

  /** Pass the transaction of the change being audited, so both commit or neither does. */
  record(tx: Tx | null, context: AuditContext, entry: AuditEntry): Promise<void> {
    return this.auditRepository.append(tx, auditEvent(context, entry));
  }

  search(actor: Actor, query: Omit<AuditSearch, 'organizationIds'>) {
    return this.auditRepository.search({ ...query, organizationIds: this.scopeOf(actor) });
  }

  async getVisible(actor: Actor, id: string): Promise<AuditEventRecord> {
    const event = /^\d{1,18}$/.test(id) ? await this.auditRepository.findVisible(this.scopeOf(actor), id) : null;
    if (!event) throw new NotFoundException();
    return event;
  }

  /** The audit viewer's list: reading the trail is itself recorded (which filters, never their values). */
  async viewTrail(context: AuditContext, actor: Actor, query: Omit<AuditSearch, 'organizationIds'>) {
    const result = await this.search(actor, query);
    const filters = (['action', 'actorName', 'from', 'to'] as const).filter((name) => query[name] !== undefined);
    await this.record(null, context, {
      action: 'audit.viewed',
      details: { filters, page: Math.floor(query.offset / query.limit) + 1 },
    });
    return result;
  }

  /** One event, if the actor may see it (404 otherwise); opening it is recorded. */
  async viewEvent(context: AuditContext, actor: Actor, id: string): Promise<AuditEventRecord> {
    const event = await this.getVisible(actor, id);
    await this.record(null, context, { action: 'audit.viewed', target: { type: 'audit_event', id: event.id } });
    return event;
  }

  /** Admins read the whole trail; managers the events of the organizations they oversee. */
  // Audit events name people and records, so a manager reads those of their own organization only;
  // organizations granted for aggregates do not open their trail (MISSION §1, least privilege).
  private scopeOf(actor: Actor): string[] | null {
    return actor.role === 'admin' ? null : [actor.organizationId];
  }
}
