import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Client } from '../clients/client.entity';
import { Organization } from '../organizations/organization.entity';
import { sqlList } from '../reference/sql';
import { User } from '../users/user.entity';

/** What a client may ask about their data (MISSION §2 rule 7): see it, restrict its processing, erase it. */
export const PRIVACY_REQUEST_TYPES = ['see', 'restrict', 'erase'] as const;
export type PrivacyRequestType = (typeof PRIVACY_REQUEST_TYPES)[number];

export const PRIVACY_REQUEST_STATUSES = ['open', 'done', 'refused'] as const;
export type PrivacyRequestStatus = (typeof PRIVACY_REQUEST_STATUSES)[number];
export type ClosedStatus = Exclude<PrivacyRequestStatus, 'open'>;

/**
 * Why a request was closed, from a closed list per outcome: a code can go into the audit trail and
 * survives the client's erasure (a free-text note, sealed with the client's key, does not).
 */
export const OUTCOME_REASONS = {
  done: ['carried_out', 'carried_out_in_part'],
  refused: ['identity_not_confirmed', 'legal_obligation', 'withdrawn_by_client', 'other'],
} as const satisfies Record<ClosedStatus, readonly string[]>;
export type OutcomeReason = (typeof OUTCOME_REASONS)[ClosedStatus][number];
export const ALL_OUTCOME_REASONS: readonly OutcomeReason[] = [...OUTCOME_REASONS.done, ...OUTCOME_REASONS.refused];

/**
 * A data-subject request, logged with its legal deadline and its outcome. The deadline is computed
 * when the request is logged (received day + the configured number of days) and kept, so a later
 * change of configuration does not move the deadline of a request already received.
 */
@Entity('privacy_request')
@Index('idx_privacy_request_org_open', ['organizationId', 'dueOn'], { where: `"status" = 'open'` })
@Index('idx_privacy_request_org_closed', ['organizationId', 'closedOn'], { where: `"status" <> 'open'` })
@Index('idx_privacy_request_client', ['clientId'])
@Unique('uq_privacy_request_submission_key', ['submissionKey'])
@Check('ck_privacy_request_type', `"type" IN (${sqlList(PRIVACY_REQUEST_TYPES)})`)
@Check('ck_privacy_request_status', `"status" IN (${sqlList(PRIVACY_REQUEST_STATUSES)})`)
@Check('ck_privacy_request_reason', `"outcome_reason" IS NULL OR "outcome_reason" IN (${sqlList(ALL_OUTCOME_REASONS)})`)
@Check(
  'ck_privacy_request_closed',
  `("status" = 'open' AND "closed_on" IS NULL AND "outcome_reason" IS NULL) OR ("status" <> 'open' AND "closed_on" IS NOT NULL AND "outcome_reason" IS NOT NULL)`,
)
@Check('ck_privacy_request_dates', `"due_on" >= "received_on" AND "closed_on" >= "received_on"`)
export class PrivacyRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_privacy_request_organization' })
  organization?: Organization;

  @Column({ type: 'uuid' })
  clientId: string;

  @ManyToOne(() => Client, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'fk_privacy_request_client' })
  client?: Client;

  @Column({ type: 'varchar', length: 10 })
  type: PrivacyRequestType;

  /** The day the client asked (Hanoi calendar). */
  @Column({ type: 'date' })
  receivedOn: string;

  /** The legal deadline: received day + PRIVACY_REQUEST_DAYS at the time it was logged. */
  @Column({ type: 'date' })
  dueOn: string;

  @Column({ type: 'varchar', length: 10, default: 'open' })
  status: PrivacyRequestStatus;

  /** An optional note taken when the request was logged, sealed with the client's data key. */
  @Column({ type: 'text', nullable: true })
  noteCipher: string | null;

  @Column({ type: 'varchar', length: 30, nullable: true })
  outcomeReason: OutcomeReason | null;

  /** An optional note on the outcome, sealed with the client's data key. */
  @Column({ type: 'text', nullable: true })
  outcomeNoteCipher: string | null;

  /** Who closed it. */
  @Column({ type: 'uuid', nullable: true })
  handledBy: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'handled_by', foreignKeyConstraintName: 'fk_privacy_request_handled_by' })
  handler?: User | null;

  @Column({ type: 'date', nullable: true })
  closedOn: string | null;

  @Column({ type: 'uuid' })
  createdBy: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_privacy_request_created_by' })
  creator?: User;

  /** Idempotency key of the form (a double tap logs once). */
  @Column({ type: 'uuid', nullable: true })
  submissionKey: string | null;

  /** Optimistic locking: closing names the version the form was opened on. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
