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
import { District } from '../geography/district.entity';
import { Organization } from '../organizations/organization.entity';
import { GROUP_KINDS, GroupKind, MEMBER_ROLES, MemberRole } from '../reference/codes';
import { sqlList } from '../reference/sql';
import { User } from '../users/user.entity';

/** A peer group, self-help group or club of an organization ("nhóm đồng đẳng / nhóm tự lực / câu lạc bộ"). */
@Entity('peer_group')
@Index('uq_peer_group_organization_name', ['organizationId', 'name'], { unique: true })
@Check('ck_peer_group_kind', `"kind" IN (${sqlList(GROUP_KINDS)})`)
export class PeerGroup {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'fk_peer_group_organization' })
  organization?: Organization;

  /** Shown on the group's pages only (page titles stay neutral). */
  @Column({ type: 'varchar', length: 80 })
  name: string;

  @Column({ type: 'varchar', length: 20 })
  kind: GroupKind;

  @Column({ type: 'varchar', length: 60 })
  districtCode: string;

  @ManyToOne(() => District, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'district_code', foreignKeyConstraintName: 'fk_peer_group_district' })
  district?: District;

  /** No session and no membership may be dated before it. */
  @Column({ type: 'date' })
  foundedOn: string;

  /** An inactive group keeps its history but takes no new sessions or members. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /** Idempotency key of the creation form (a double submit creates one group). */
  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** A coordinator of a group: a `peer_coordinator`, or a `social_worker` acting as one. */
@Entity('peer_group_coordinator')
@Index('idx_peer_group_coordinator_user', ['userId'])
export class PeerGroupCoordinator {
  @PrimaryColumn({ type: 'uuid' })
  groupId: string;

  @PrimaryColumn({ type: 'uuid' })
  userId: string;

  @ManyToOne(() => PeerGroup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_peer_group_coordinator_group' })
  group?: PeerGroup;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_peer_group_coordinator_user' })
  user?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/**
 * One period of a client's membership of a group. Leaving closes it (`leftOn`, the last day as a
 * member); rejoining opens a new one, so the history stays. At most one open period per client and group.
 */
@Entity('group_membership')
@Index('uq_group_membership_current', ['groupId', 'clientId'], { unique: true, where: '"left_on" IS NULL' })
@Index('idx_group_membership_client', ['clientId'])
@Check('ck_group_membership_role', `"role" IN (${sqlList(MEMBER_ROLES)})`)
@Check('ck_group_membership_dates', `"left_on" IS NULL OR "left_on" >= "joined_on"`)
export class GroupMembership {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  groupId: string;

  @ManyToOne(() => PeerGroup, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'fk_group_membership_group' })
  group?: PeerGroup;

  @Column({ type: 'uuid' })
  clientId: string;

  @ManyToOne(() => Client, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'fk_group_membership_client' })
  client?: Client;

  @Column({ type: 'varchar', length: 20, default: 'member' })
  role: MemberRole;

  @Column({ type: 'date' })
  joinedOn: string;

  @Column({ type: 'date', nullable: true })
  leftOn: string | null;

  /** Idempotency key of the form that added the member (a double submit adds once). */
  @Column({ type: 'uuid', nullable: true, unique: true })
  submissionKey: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
