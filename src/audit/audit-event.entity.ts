import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditAction, AuditOutcome } from './audit-action';

/** Append-only: the database refuses UPDATE, DELETE and TRUNCATE on this table (a trigger). */
@Entity('audit_event')
@Index('idx_audit_event_org_time', ['organizationId', 'occurredAt'])
@Index('idx_audit_event_time', ['occurredAt'])
export class AuditEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  /** Null for events without a signed-in user (failed logins, the CLI). */
  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  /** Username, `cli:<os user>` for the command line, or `anonymous`. */
  @Column({ type: 'varchar', length: 80 })
  actorName: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  actorRole: string | null;

  /** The organization the event belongs to (the actor's, or the target's). */
  @Column({ type: 'uuid', nullable: true })
  organizationId: string | null;

  @Column({ type: 'varchar', length: 60 })
  action: AuditAction;

  @Column({ type: 'varchar', length: 40, nullable: true })
  targetType: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  targetId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ipAddress: string | null;

  @Column({ type: 'varchar', length: 10 })
  outcome: AuditOutcome;

  /** Closed, non-personal details (changed field names, counts, a reason category). */
  @Column({ type: 'jsonb', default: '{}' })
  details: Record<string, unknown>;
}
