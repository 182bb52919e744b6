import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Client } from '../clients/client.entity';
import { SESSION_TYPES, SessionType, TOPICS, Topic } from '../reference/codes';
import { sqlList } from '../reference/sql';
import { PeerGroup } from './peer-group.entity';

/** A meeting of a group ("buổi sinh hoạt nhóm"): who came, what was covered, what was handed out. */
@Entity('group_session')
@Index('idx_group_session_group_date', ['groupId', 'sessionDate'])
@Index('idx_group_session_organization_date', ['organizationId', 'sessionDate'])
@Check('ck_group_session_type', `"session_type" IN (${sqlList(SESSION_TYPES)})`)
@Check('ck_group_session_topics', `"topics" <@ ARRAY[${sqlList(TOPICS)}]::varchar[]`)
@Check('ck_group_session_duration', `"duration_minutes" BETWEEN 1 AND 720`)
@Check(
  'ck_group_session_counts',
  `"anonymous_attendees" >= 0 AND "condoms" >= 0 AND "lubricants" >= 0 AND "hiv_self_tests" >= 0`,
)
export class GroupSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  groupId: string;

  @ManyToOne(() => PeerGroup, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_group_session_group' })
  group?: PeerGroup;

  /** The group's organization, kept here for the aggregates. */
  @Column({ type: 'uuid' })
  organizationId: string;

  /** The Asia/Ho_Chi_Minh calendar day of the session. */
  @Column({ type: 'date' })
  sessionDate: string;

  @Column({ type: 'integer' })
  durationMinutes: number;

  @Column({ type: 'varchar', length: 30 })
  sessionType: SessionType;

  @Column({ type: 'varchar', length: 20, array: true, default: '{}' })
  topics: Topic[];

  /** Staff who led it (the group's coordinators); members who led it are marked on their attendance. */
  @Column({ type: 'uuid', array: true, default: '{}' })
  facilitatorUserIds: string[];

  /** People who came but are not members (or did not want to be named): a count only. */
  @Column({ type: 'integer', default: 0 })
  anonymousAttendees: number;

  @Column({ type: 'integer', default: 0 })
  condoms: number;

  @Column({ type: 'integer', default: 0 })
  lubricants: number;

  @Column({ type: 'integer', default: 0 })
  hivSelfTests: number;

  /** Each attending member gets one outreach contact (modality `group`) on the session day. */
  @Column({ type: 'boolean', default: false })
  countsAsContact: boolean;

  /** Optional note about the session (not about a client), sealed with the application key ring. */
  @Column({ type: 'text', nullable: true })
  noteCipher: string | null;

  /** Who logged it; the worker of the contacts it records. */
  @Column({ type: 'uuid' })
  recordedBy: string;

  /** Idempotency key of the form that logged it (a double submit records once). */
  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  /** Soft delete: gone from pages and aggregates, kept for the audit trail. */
  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;
}

/** A member who came to a session; `facilitated` when they led it (a leader or peer educator). */
@Entity('group_attendance')
@Index('idx_group_attendance_client', ['clientId'])
export class GroupAttendance {
  @PrimaryColumn({ type: 'uuid' })
  sessionId: string;

  @PrimaryColumn({ type: 'uuid' })
  clientId: string;

  @ManyToOne(() => GroupSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id', foreignKeyConstraintName: 'fk_group_attendance_session' })
  session?: GroupSession;

  @ManyToOne(() => Client, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'fk_group_attendance_client' })
  client?: Client;

  @Column({ type: 'boolean', default: false })
  facilitated: boolean;
}
