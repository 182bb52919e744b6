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
import { GroupSession } from '../groups/group-session.entity';
import { MODALITIES, Modality, TOPICS, Topic } from '../reference/codes';
import { sqlList } from '../reference/sql';

export const CONTACT_SOURCES = ['app', 'import', 'group'] as const;
export type ContactSource = (typeof CONTACT_SOURCES)[number];

/** One outreach contact-instance ("lượt tiếp cận"): what the 500 target counts (by client and day). */
@Entity('contact')
@Index('idx_contact_org_date', ['organizationId', 'contactDate'])
@Index('idx_contact_client_date', ['clientId', 'contactDate'])
@Index('idx_contact_worker_date', ['workerId', 'contactDate'])
@Index('idx_contact_group_session', ['groupSessionId'])
// A member-day of group sessions counts as one contact, however many sessions they came to that day.
@Index('uq_contact_group_member_day', ['clientId', 'contactDate'], {
  unique: true,
  where: `"source" = 'group' AND "deleted_at" IS NULL`,
})
@Check('ck_contact_modality', `"modality" IN (${sqlList(MODALITIES)})`)
@Check('ck_contact_topics', `"topics" <@ ARRAY[${sqlList(TOPICS)}]::varchar[]`)
@Check('ck_contact_commodities', `"condoms" >= 0 AND "lubricants" >= 0 AND "hiv_self_tests" >= 0`)
@Check('ck_contact_source', `"source" IN (${sqlList(CONTACT_SOURCES)})`)
export class Contact {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  clientId: string;

  @ManyToOne(() => Client, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'fk_contact_client' })
  client?: Client;

  @Column({ type: 'uuid' })
  organizationId: string;

  /** The worker who made the contact; null for imported registers. */
  @Column({ type: 'uuid', nullable: true })
  workerId: string | null;

  /** The Asia/Ho_Chi_Minh calendar day of the contact. */
  @Column({ type: 'date' })
  contactDate: string;

  @Column({ type: 'varchar', length: 10 })
  modality: Modality;

  @Column({ type: 'varchar', length: 60 })
  districtCode: string;

  @Column({ type: 'varchar', length: 20, array: true, default: '{}' })
  topics: Topic[];

  @Column({ type: 'integer', default: 0 })
  condoms: number;

  @Column({ type: 'integer', default: 0 })
  lubricants: number;

  @Column({ type: 'integer', default: 0 })
  hivSelfTests: number;

  /** Optional note, sealed with the client's data key. */
  @Column({ type: 'text', nullable: true })
  noteCipher: string | null;

  @Column({ type: 'varchar', length: 10, default: 'app' })
  source: ContactSource;

  /** Idempotency key of the form that created it (a double submit records once). */
  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  /** The group session this contact stands for (source `group`): changed only through that session. */
  @Column({ type: 'uuid', nullable: true })
  groupSessionId: string | null;

  @ManyToOne(() => GroupSession, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'group_session_id', foreignKeyConstraintName: 'fk_contact_group_session' })
  groupSession?: GroupSession;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** Soft delete: kept for the audit trail, left out of lists and indicators. */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}
