import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { Actor } from '../auth/actor';
import type { Tx } from '../database/transaction';
import type { MemberRole } from '../reference/codes';
import { UUID } from '../web/form-rules';
import { GroupMembership, PeerGroup, PeerGroupCoordinator } from './peer-group.entity';

export type NewGroup = Omit<PeerGroup, 'id' | 'createdAt' | 'updatedAt' | 'organization' | 'district'>;
export type GroupChanges = Pick<PeerGroup, 'name' | 'kind' | 'districtCode' | 'foundedOn' | 'active'>;
export type NewMembership = Omit<GroupMembership, 'id' | 'createdAt' | 'updatedAt' | 'group' | 'client'>;

/** A row of the group list. */
export interface GroupListRow {
  id: string;
  name: string;
  kind: PeerGroup['kind'];
  districtCode: string;
  active: boolean;
  members: number;
  lastSession: string | null;
}

/** A staff member who coordinates (or may coordinate) groups. */
export interface CoordinatorRow {
  id: string;
  username: string;
  role: string;
  active: boolean;
}

/** A membership period with the client's display code (the only thing shown about them). */
export interface MemberRow {
  membershipId: string;
  clientId: string;
  displayCode: string | null;
  role: MemberRole;
  joinedOn: string;
  leftOn: string | null;
  /** The last session of this group they came to, in any of their periods. */
  lastAttended: string | null;
}

export interface MonthRow {
  month: string;
  sessions: number;
  memberAttendances: number;
  anonymous: number;
}

const DAY = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

/** A peer coordinator reaches only the groups they coordinate (MISSION §1). */
const COORDINATES = `EXISTS (SELECT 1 FROM peer_group_coordinator pc WHERE pc.group_id = g.id AND pc.user_id = :userId)`;

@Injectable()
export class GroupsRepository {
  constructor(
    @InjectRepository(PeerGroup) private readonly groups: Repository<PeerGroup>,
    @InjectRepository(GroupMembership) private readonly memberships: Repository<GroupMembership>,
  ) {}

  /** A group of the actor's organization; for a peer coordinator, one they coordinate. */
  findVisibleTo(actor: Actor, id: string): Promise<PeerGroup | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    const qb = this.groups
      .createQueryBuilder('g')
      .where('g.id = :id AND g.organizationId = :organizationId', { id, organizationId: actor.organizationId });
    if (actor.role === 'peer_coordinator') qb.andWhere(COORDINATES, { userId: actor.userId });
    return qb.getOne();
  }

  findBySubmissionKey(submissionKey: string): Promise<PeerGroup | null> {
    return this.groups.findOneBy({ submissionKey });
  }

  nameTaken(organizationId: string, name: string, exceptId?: string): Promise<boolean> {
    const qb = this.groups
      .createQueryBuilder('g')
      .where('g.organizationId = :organizationId AND g.name = :name', { organizationId, name });
    if (exceptId) qb.andWhere('g.id <> :exceptId', { exceptId });
    return qb.getExists();
  }

  /** The groups the actor may open, with their current member count and last session. */
  listVisible(actor: Actor): Promise<GroupListRow[]> {
    const qb = this.groups
      .createQueryBuilder('g')
      .select([
        'g.id AS id',
        'g.name AS name',
        'g.kind AS kind',
        'g.district_code AS "districtCode"',
        'g.active AS active',
      ])
      .addSelect(
        `(SELECT count(*)::int FROM group_membership m WHERE m.group_id = g.id AND m.left_on IS NULL)`,
        'members',
      )
      .addSelect(
        `(SELECT ${DAY('max(s.session_date)')} FROM group_session s WHERE s.group_id = g.id AND s.deleted_at IS NULL)`,
        'lastSession',
      )
      .where('g.organizationId = :organizationId', { organizationId: actor.organizationId });
    if (actor.role === 'peer_coordinator') qb.andWhere(COORDINATES, { userId: actor.userId });
    return qb.orderBy('g.active', 'DESC').addOrderBy('g.name', 'ASC').getRawMany<GroupListRow>();
  }

  async insert(tx: Tx, group: NewGroup): Promise<PeerGroup> {
    const repo = tx.getRepository(PeerGroup);
    return repo.save(repo.create(group));
  }

  async update(tx: Tx, id: string, changes: GroupChanges): Promise<void> {
    await tx.getRepository(PeerGroup).update({ id }, changes);
  }

  // -- coordinators ---------------------------------------------------------------------------

  coordinatorsOf(groupId: string): Promise<CoordinatorRow[]> {
    return this.groups.manager.query(
      `SELECT u.id, u.username, u.role, u.active
         FROM peer_group_coordinator pc JOIN app_user u ON u.id = pc.user_id
        WHERE pc.group_id = $1 ORDER BY u.username`,
      [groupId],
    );
  }

  /** Staff of the organization by id (facilitators named by a session, coordinators or not since). */
  staffByIds(organizationId: string, ids: readonly string[]): Promise<CoordinatorRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.groups.manager.query(
      `SELECT id, username, role, active FROM app_user WHERE organization_id = $1 AND id = ANY($2::uuid[])
        ORDER BY username`,
      [organizationId, [...ids]],
    );
  }

  async isCoordinator(groupId: string, userId: string): Promise<boolean> {
    return this.groups.manager.getRepository(PeerGroupCoordinator).existsBy({ groupId, userId });
  }

  /** Staff of the organization who may coordinate a group: active peer coordinators and social workers. */
  coordinatorCandidates(organizationId: string): Promise<CoordinatorRow[]> {
    return this.groups.manager.query(
      `SELECT id, username, role, active FROM app_user
        WHERE organization_id = $1 AND active AND role IN ('peer_coordinator', 'social_worker')
        ORDER BY role, username`,
      [organizationId],
    );
  }

  /** Replaces the coordinators; returns the ids added and removed. */
  async setCoordinators(tx: Tx, groupId: string, userIds: string[]): Promise<{ added: string[]; removed: string[] }> {
    const repo = tx.getRepository(PeerGroupCoordinator);
    const before = (await repo.findBy({ groupId })).map((c) => c.userId);
    const added = userIds.filter((id) => !before.includes(id));
    const removed = before.filter((id) => !userIds.includes(id));
    if (removed.length > 0) {
      await tx.query(`DELETE FROM peer_group_coordinator WHERE group_id = $1 AND user_id = ANY($2::uuid[])`, [
        groupId,
        removed,
      ]);
    }
    if (added.length > 0) await repo.insert(added.map((userId) => ({ groupId, userId })));
    return { added, removed };
  }

  // -- memberships ----------------------------------------------------------------------------

  /** Every membership period of the group (current first), with the client's display code. */
  membersOf(groupId: string): Promise<MemberRow[]> {
    return this.groups.manager.query(
      `SELECT m.id AS "membershipId", m.client_id AS "clientId", c.display_code AS "displayCode", m.role,
              ${DAY('m.joined_on')} AS "joinedOn", ${DAY('m.left_on')} AS "leftOn",
              (SELECT ${DAY('max(s.session_date)')} FROM group_attendance a
                 JOIN group_session s ON s.id = a.session_id AND s.deleted_at IS NULL
                WHERE a.client_id = m.client_id AND s.group_id = m.group_id) AS "lastAttended"
         FROM group_membership m JOIN client c ON c.id = m.client_id
        WHERE m.group_id = $1
        ORDER BY (m.left_on IS NULL) DESC, c.display_code, m.joined_on DESC`,
      [groupId],
    );
  }

  /**
   * Members on a given day (joined on or before it, not left before it): who may be ticked as present.
   * A client who restricted the processing of their data is not offered (their record is read-only).
   */
  membersOn(groupId: string, day: string, tx?: Tx): Promise<MemberRow[]> {
    return (tx ?? this.groups.manager).query(
      `SELECT m.id AS "membershipId", m.client_id AS "clientId", c.display_code AS "displayCode", m.role,
              ${DAY('m.joined_on')} AS "joinedOn", ${DAY('m.left_on')} AS "leftOn", NULL AS "lastAttended"
         FROM group_membership m JOIN client c ON c.id = m.client_id
        WHERE m.group_id = $1 AND m.joined_on <= $2 AND (m.left_on IS NULL OR m.left_on >= $2)
          AND c.status = 'active' AND c.restricted_at IS NULL
        ORDER BY c.display_code`,
      [groupId, day],
    );
  }

  /** A membership of the group, with its client (for the display code). */
  findMembership(groupId: string, membershipId: string): Promise<GroupMembership | null> {
    if (!UUID.test(membershipId)) return Promise.resolve(null);
    return this.memberships.findOne({ where: { id: membershipId, groupId }, relations: { client: true } });
  }

  findMembershipBySubmissionKey(submissionKey: string): Promise<GroupMembership | null> {
    return this.memberships.findOneBy({ submissionKey });
  }

  currentMembership(groupId: string, clientId: string): Promise<GroupMembership | null> {
    return this.memberships.findOneBy({ groupId, clientId, leftOn: IsNull() });
  }

  /** The day the client last left this group, if they ever did. */
  async lastLeftOn(groupId: string, clientId: string): Promise<string | null> {
    const [row]: Array<{ day: string | null }> = await this.groups.manager.query(
      `SELECT ${DAY('max(left_on)')} AS day FROM group_membership WHERE group_id = $1 AND client_id = $2`,
      [groupId, clientId],
    );
    return row?.day ?? null;
  }

  /** The last session of the group the client came to on or after a day (a leaving date may not precede it). */
  async lastAttendedSince(groupId: string, clientId: string, since: string): Promise<string | null> {
    const [row]: Array<{ day: string | null }> = await this.groups.manager.query(
      `SELECT ${DAY('max(s.session_date)')} AS day
         FROM group_attendance a JOIN group_session s ON s.id = a.session_id
        WHERE a.client_id = $2 AND s.group_id = $1 AND s.deleted_at IS NULL AND s.session_date >= $3`,
      [groupId, clientId, since],
    );
    return row?.day ?? null;
  }

  async insertMembership(tx: Tx, membership: NewMembership): Promise<GroupMembership> {
    const repo = tx.getRepository(GroupMembership);
    return repo.save(repo.create(membership));
  }

  async updateMembership(tx: Tx, id: string, changes: Partial<Pick<GroupMembership, 'role' | 'leftOn'>>) {
    await tx.getRepository(GroupMembership).update({ id }, changes);
  }

  /** A client's membership periods in the groups given (or in every group of the organization). */
  membershipsOfClient(
    clientId: string,
    organizationId: string,
    coordinatorId?: string,
  ): Promise<Array<MemberRow & { groupId: string; groupName: string }>> {
    return this.groups.manager.query(
      `SELECT m.id AS "membershipId", m.client_id AS "clientId", NULL AS "displayCode", m.role,
              ${DAY('m.joined_on')} AS "joinedOn", ${DAY('m.left_on')} AS "leftOn", NULL AS "lastAttended",
              g.id AS "groupId", g.name AS "groupName"
         FROM group_membership m JOIN peer_group g ON g.id = m.group_id
        WHERE m.client_id = $1 AND g.organization_id = $2
          AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM peer_group_coordinator pc
                                            WHERE pc.group_id = g.id AND pc.user_id = $3::uuid))
        ORDER BY (m.left_on IS NULL) DESC, m.joined_on DESC`,
      [clientId, organizationId, coordinatorId ?? null],
    );
  }

  // -- the group page's figures ----------------------------------------------------------------

  /** Sessions, member attendances and anonymous attendees per month (YYYY-MM) from a day on. */
  monthly(groupId: string, from: string): Promise<MonthRow[]> {
    return this.groups.manager.query(
      `SELECT to_char(s.session_date, 'YYYY-MM') AS month, count(*)::int AS sessions,
              COALESCE(sum((SELECT count(*) FROM group_attendance a WHERE a.session_id = s.id)), 0)::int
                AS "memberAttendances",
              COALESCE(sum(s.anonymous_attendees), 0)::int AS anonymous
         FROM group_session s
        WHERE s.group_id = $1 AND s.deleted_at IS NULL AND s.session_date >= $2
        GROUP BY 1 ORDER BY 1`,
      [groupId, from],
    );
  }

  /** Sessions of the group on or after a day, and everyone who came to them (members and others). */
  async totalsSince(groupId: string, since: string): Promise<{ sessions: number; attendances: number }> {
    const [row]: Array<{ sessions: number; attendances: number }> = await this.groups.manager.query(
      `SELECT count(*)::int AS sessions,
              COALESCE(sum(s.anonymous_attendees
                           + (SELECT count(*) FROM group_attendance a WHERE a.session_id = s.id)), 0)::int AS attendances
         FROM group_session s WHERE s.group_id = $1 AND s.deleted_at IS NULL AND s.session_date >= $2`,
      [groupId, since],
    );
    return row;
  }

  /** The group's first session or membership day, if any (its founding day may not move after it). */
  async earliestActivity(groupId: string): Promise<string | null> {
    const [row]: Array<{ day: string | null }> = await this.groups.manager.query(
      `SELECT ${DAY(`least((SELECT min(session_date) FROM group_session WHERE group_id = $1 AND deleted_at IS NULL),
                           (SELECT min(joined_on) FROM group_membership WHERE group_id = $1))`)} AS day`,
      [groupId],
    );
    return row?.day ?? null;
  }

  /** Current members who came to at least one session of the group on or after a day. */
  async activeMembersSince(groupId: string, since: string): Promise<number> {
    const [row]: Array<{ count: number }> = await this.groups.manager.query(
      `SELECT count(*)::int AS count FROM group_membership m
        WHERE m.group_id = $1 AND m.left_on IS NULL
          AND EXISTS (SELECT 1 FROM group_attendance a JOIN group_session s ON s.id = a.session_id
                       WHERE a.client_id = m.client_id AND s.group_id = m.group_id
                         AND s.deleted_at IS NULL AND s.session_date >= $2)`,
      [groupId, since],
    );
    return row.count;
  }
}
