import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Client } from '../clients/client.entity';
import { ServiceProvider } from '../providers/service-provider.entity';
import {
  DOMAINS,
  Domain,
  REFERRAL_STATUSES,
  ReferralStatus,
  SERVICE_TYPES,
  VERIFICATIONS,
  Verification,
} from '../reference/codes';
import { sqlList } from '../reference/sql';

export const REFERRAL_SOURCES = ['app', 'import'] as const;
export type ReferralSource = (typeof REFERRAL_SOURCES)[number];

/** `('health', 'hiv_testing'), …`: the service types each domain offers. */
const DOMAIN_SERVICE_PAIRS = DOMAINS.flatMap((domain) =>
  SERVICE_TYPES[domain].map((type) => `(${sqlList([domain, type])})`),
).join(', ');

/**
 * A referral of a client to a service, followed to its outcome. Only `completed` referrals count for
 * the access rate (MISSION §5), so a completion always has its date and how it was verified.
 */
@Entity('referral')
@Index('idx_referral_org_referred', ['organizationId', 'referredOn'])
@Index('idx_referral_client', ['clientId', 'referredOn'])
@Index('idx_referral_provider', ['providerId'])
@Index('idx_referral_open_activity', ['organizationId', 'lastActivityAt'], {
  where: `"status" IN ('referred', 'scheduled', 'no_show')`,
})
@Index('idx_referral_org_completed', ['organizationId', 'completedOn'], { where: `"status" = 'completed'` })
@Check('ck_referral_domain', `"domain" IN (${sqlList(DOMAINS)})`)
@Check('ck_referral_service_type', `("domain", "service_type") IN (${DOMAIN_SERVICE_PAIRS})`)
@Check('ck_referral_status', `"status" IN (${sqlList(REFERRAL_STATUSES)})`)
@Check('ck_referral_verification', `"verification" IS NULL OR "verification" IN (${sqlList(VERIFICATIONS)})`)
@Check(
  'ck_referral_completion',
  `"status" <> 'completed' OR ("completed_on" IS NOT NULL AND ("verification" IS NOT NULL OR "source" = 'import'))`,
)
@Check('ck_referral_dates', `"completed_on" >= "referred_on" AND "status_on" >= "referred_on"`)
@Check('ck_referral_source', `"source" IN (${sqlList(REFERRAL_SOURCES)})`)
export class Referral {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  clientId: string;

  @ManyToOne(() => Client, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'fk_referral_client' })
  client?: Client;

  @Column({ type: 'uuid' })
  organizationId: string;

  @Column({ type: 'varchar', length: 20 })
  domain: Domain;

  @Column({ type: 'varchar', length: 30 })
  serviceType: string;

  /** The receiving provider; an imported referral may not name one. */
  @Column({ type: 'uuid', nullable: true })
  providerId: string | null;

  @ManyToOne(() => ServiceProvider, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'provider_id', foreignKeyConstraintName: 'fk_referral_provider' })
  provider?: ServiceProvider;

  @Column({ type: 'date' })
  referredOn: string;

  /** Null for imported registers. */
  @Column({ type: 'uuid', nullable: true })
  referringWorkerId: string | null;

  @Column({ type: 'date', nullable: true })
  appointmentOn: string | null;

  @Column({ type: 'varchar', length: 12, default: 'referred' })
  status: ReferralStatus;

  /** The day the current status took effect. */
  @Column({ type: 'date' })
  statusOn: string;

  @Column({ type: 'date', nullable: true })
  completedOn: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  verification: Verification | null;

  /** The note written when referring, sealed with the client's data key. */
  @Column({ type: 'text', nullable: true })
  noteCipher: string | null;

  /** The outcome note, sealed with the client's data key. */
  @Column({ type: 'text', nullable: true })
  outcomeNoteCipher: string | null;

  /** The referral code printed on the slip (the provider types it to confirm); null for imports. */
  @Column({ type: 'varchar', length: 12, nullable: true, unique: true })
  slipCode: string | null;

  /** The slip's PIN, sealed with the client's data key: erasing the client makes the slip useless. */
  @Column({ type: 'text', nullable: true })
  pinCipher: string | null;

  /** The last day the provider may confirm with the slip. */
  @Column({ type: 'date', nullable: true })
  slipExpiresOn: string | null;

  /** When someone last did something with it: the follow-up list counts days from here. */
  @Column({ type: 'timestamptz' })
  lastActivityAt: Date;

  @Column({ type: 'varchar', length: 10, default: 'app' })
  source: ReferralSource;

  /** Idempotency key of the form that created it (a double submit records once). */
  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  /** Optimistic locking: every change states the version it was based on and increments it. */
  @Column({ type: 'integer', default: 1 })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

export const REFERRAL_ACTOR_KINDS = ['user', 'provider', 'import'] as const;
export type ReferralActorKind = (typeof REFERRAL_ACTOR_KINDS)[number];

/** One line of a referral's history: every transition and correction, who, when, with an optional note. */
@Entity('referral_event')
@Index('idx_referral_event_referral', ['referralId', 'version'])
@Check('ck_referral_event_status', `"to_status" IN (${sqlList(REFERRAL_STATUSES)})`)
@Check('ck_referral_event_actor', `"actor_kind" IN (${sqlList(REFERRAL_ACTOR_KINDS)})`)
export class ReferralEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  referralId: string;

  @ManyToOne(() => Referral, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'referral_id', foreignKeyConstraintName: 'fk_referral_event_referral' })
  referral?: Referral;

  /** Null for the first line (the referral made). */
  @Column({ type: 'varchar', length: 12, nullable: true })
  fromStatus: ReferralStatus | null;

  @Column({ type: 'varchar', length: 12 })
  toStatus: ReferralStatus;

  /** The day the status took effect (for `completed`, the completed date). */
  @Column({ type: 'date' })
  statusOn: string;

  @Column({ type: 'date', nullable: true })
  appointmentOn: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  verification: Verification | null;

  @Column({ type: 'varchar', length: 10 })
  actorKind: ReferralActorKind;

  /** The user who made the change; null when the provider confirmed or a file was imported. */
  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  /** A correction of an earlier status (not a step forward). */
  @Column({ type: 'boolean', default: false })
  correction: boolean;

  @Column({ type: 'text', nullable: true })
  noteCipher: string | null;

  /** The referral version this change produced. */
  @Column({ type: 'integer' })
  version: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
