import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { Actor } from '../auth/actor';
import type { Tx } from '../database/transaction';
import type { SessionType, Topic } from '../reference/codes';
import { UUID } from '../web/form-rules';
import { GroupAttendance, GroupSession } from './group-session.entity';

export type NewSession = Omit<GroupSession, 'id' | 'createdAt' | 'updatedAt' | 'deletedAt' | 'group'>;
export type SessionChanges = Omit<NewSession, 'groupId' | 'organizationId' | 'recordedBy' | 'submissionKey'>;

export interface AttendanceRow {
  clientId: string;
  displayCode: string | null;
  facilitated: boolean;
  /** The client restricted the processing of their data: their attendance stays as it was. */
  restricted: boolean;
}

export interface SessionListRow {
  id: string;
  sessionDate: string;
  sessionType: SessionType;
  durationMinutes: number;
  members: number;
  anonymousAttendees: number;
  countsAsContact: boolean;
}

/** The session that gives a member-day its contact: the first logged of that day's counting sessions. */
export interface ContactOwner {
  sessionId: string;
  districtCode: string;
  topics: Topic[];
  recordedBy: string;
}

/** One row of the activity table: a district of the groups' organizations. */
export interface ActivityRow {
  /** Null on the row of all districts together. */
  districtCode: string | null;
  activeGroups: number;
  sessions: number;
  membersReached: number;
  anonymousAttendees: number;
  condoms: number;
  lubricants: number;
  hivSelfTests: number;
}

const DAY = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

@Injectable()
export class GroupSessionsRepository {
  constructor(@InjectRepository(GroupSession) private readonly sessions: Repository<GroupSession>) {}

  /** A live session of a group the actor may open (same scope as the group). */
  findVisibleTo(actor: Actor, id: string): Promise<GroupSession | null> {
    if (!UUID.test(id)) return Promise.resolve(null);
    const qb = this.sessions
      .createQueryBuilder('s')
      .innerJoin('peer_group', 'g', 'g.id = s.group_id')
      .where('s.id = :id AND s.deletedAt IS NULL AND g.organization_id = :organizationId', {
        id,
        organizationId: actor.organizationId,
      });
    if (actor.role === 'peer_coordinator') {
      qb.andWhere(
        `EXISTS (SELECT 1 FROM peer_group_coordinator pc WHERE pc.group_id = g.id AND pc.user_id = :userId)`,
        { userId: actor.userId },
      );
    }
    return qb.getOne();
  }

  findBySubmissionKey(submissionKey: string): Promise<GroupSession | null> {
    return this.sessions.findOneBy({ submissionKey });
  }

  async insert(tx: Tx, session: NewSession): Promise<GroupSession> {
    const repo = tx.getRepository(GroupSession);
    return repo.save(repo.create(session));
  }

  async update(tx: Tx, id: string, changes: Partial<SessionChanges & { deletedAt: Date | null }>): Promise<void> {
    await tx.getRepository(GroupSession).update({ id }, changes);
  }

  async replaceAttendance(tx: Tx, sessionId: string, rows: Array<{ clientId: string; facilitated: boolean }>) {
    await tx.getRepository(GroupAttendance).delete({ sessionId });
    if (rows.length > 0) await tx.getRepository(GroupAttendance).insert(rows.map((r) => ({ sessionId, ...r })));
  }

  /** The clients among `clientIds` who restricted the processing of their data. */
  async restrictedAmong(tx: Tx, clientIds: string[]): Promise<Set<string>> {
    if (clientIds.length === 0) return new Set();
    const rows: Array<{ id: string }> = await tx.query(
      `SELECT id FROM client WHERE id = ANY($1::uuid[]) AND restricted_at IS NOT NULL`,
      [clientIds],
    );
    return new Set(rows.map((r) => r.id));
  }

  attendanceOf(sessionId: string, tx?: Tx): Promise<AttendanceRow[]> {
    return (tx ?? this.sessions.manager).query(
      `SELECT a.client_id AS "clientId", c.display_code AS "displayCode", a.facilitated,
              c.restricted_at IS NOT NULL AS restricted
         FROM group_attendance a JOIN client c ON c.id = a.client_id
        WHERE a.session_id = $1 ORDER BY c.display_code`,
      [sessionId],
    );
  }

  async listForGroup(groupId: string, offset: number, limit: number) {
    const total = await this.sessions.countBy({ groupId, deletedAt: IsNull() });
    const rows: SessionListRow[] = await this.sessions.manager.query(
      `SELECT s.id, ${DAY('s.session_date')} AS "sessionDate", s.session_type AS "sessionType",
              s.duration_minutes AS "durationMinutes", s.anonymous_attendees AS "anonymousAttendees",
              s.counts_as_contact AS "countsAsContact",
              (SELECT count(*)::int FROM group_attendance a WHERE a.session_id = s.id) AS members
         FROM group_session s
        WHERE s.group_id = $1 AND s.deleted_at IS NULL
        ORDER BY s.session_date DESC, s.created_at DESC
        OFFSET $2 LIMIT $3`,
      [groupId, offset, limit],
    );
    return { rows, total };
  }

  /** Sessions of the given groups a client came to, newest first (the member page). */
  attendedBy(clientId: string, groupIds: string[], limit = 30) {
    return this.sessions.manager.query<
      Array<{ id: string; groupId: string; sessionDate: string; sessionType: SessionType; facilitated: boolean }>
    >(
      `SELECT s.id, s.group_id AS "groupId", ${DAY('s.session_date')} AS "sessionDate",
              s.session_type AS "sessionType", a.facilitated
         FROM group_attendance a JOIN group_session s ON s.id = a.session_id
        WHERE a.client_id = $1 AND s.group_id = ANY($2::uuid[]) AND s.deleted_at IS NULL
        ORDER BY s.session_date DESC, s.created_at DESC LIMIT $3`,
      [clientId, groupIds, limit],
    );
  }

  /** The earliest-logged live session of the day that counts as contact and that this client came to. */
  async contactOwner(tx: Tx, clientId: string, day: string): Promise<ContactOwner | null> {
    const [row]: ContactOwner[] = await tx.query(
      `SELECT s.id AS "sessionId", g.district_code AS "districtCode", s.topics, s.recorded_by AS "recordedBy"
         FROM group_session s
         JOIN group_attendance a ON a.session_id = s.id
         JOIN peer_group g ON g.id = s.group_id
        WHERE a.client_id = $1 AND s.session_date = $2 AND s.counts_as_contact AND s.deleted_at IS NULL
        ORDER BY s.created_at, s.id
        LIMIT 1`,
      [clientId, day],
    );
    return row ?? null;
  }

  // -- aggregates (computed in SQL, never by loading rows) ----------------------------------------

  /**
   * Group activity over the organizations and the period given, per district of the groups and for all
   * of them together (`districtCode` null): a member who came to groups in two districts counts once in
   * the total.
   */
  activity(organizationIds: string[], from: string, to: string): Promise<ActivityRow[]> {
    return this.sessions.manager.query(
      `WITH held AS (
         SELECT s.id, s.group_id, g.district_code, s.anonymous_attendees, s.condoms, s.lubricants, s.hiv_self_tests
           FROM group_session s JOIN peer_group g ON g.id = s.group_id
          WHERE s.organization_id = ANY($1::uuid[]) AND s.deleted_at IS NULL AND s.session_date BETWEEN $2 AND $3
       ), per_session AS (
         SELECT district_code, count(DISTINCT group_id)::int AS groups, count(*)::int AS sessions,
                sum(anonymous_attendees)::int AS anonymous, sum(condoms)::int AS condoms,
                sum(lubricants)::int AS lubricants, sum(hiv_self_tests)::int AS tests
           FROM held GROUP BY GROUPING SETS ((district_code), ())
       ), per_member AS (
         SELECT h.district_code, count(DISTINCT a.client_id)::int AS members
           FROM held h JOIN group_attendance a ON a.session_id = h.id
          GROUP BY GROUPING SETS ((h.district_code), ())
       )
       SELECT p.district_code AS "districtCode", p.groups AS "activeGroups", p.sessions,
              COALESCE(m.members, 0) AS "membersReached", COALESCE(p.anonymous, 0) AS "anonymousAttendees",
              COALESCE(p.condoms, 0) AS condoms, COALESCE(p.lubricants, 0) AS lubricants,
              COALESCE(p.tests, 0) AS "hivSelfTests"
         FROM per_session p LEFT JOIN per_member m ON m.district_code IS NOT DISTINCT FROM p.district_code
        ORDER BY p.district_code NULLS FIRST`,
      [organizationIds, from, to],
    );
  }

  /**
   * The two figures of the indicator export (issue #5): `group_sessions`, the live sessions held in the
   * period, and `group_members_reached`, the distinct clients who came to at least one of them — for
   * all districts (`district` = null) and per district of the group.
   */
  indicatorFigures(
    organizationIds: string[],
    from: string,
    to: string,
  ): Promise<Array<{ districtCode: string | null; groupSessions: number; groupMembersReached: number }>> {
    return this.sessions.manager.query(
      `SELECT g.district_code AS "districtCode",
              count(DISTINCT s.id)::int AS "groupSessions",
              count(DISTINCT a.client_id)::int AS "groupMembersReached"
         FROM group_session s
         JOIN peer_group g ON g.id = s.group_id
         LEFT JOIN group_attendance a ON a.session_id = s.id
        WHERE s.organization_id = ANY($1::uuid[]) AND s.deleted_at IS NULL
          AND s.session_date BETWEEN $2 AND $3
        GROUP BY GROUPING SETS ((), (g.district_code))
        ORDER BY g.district_code NULLS FIRST`,
      [organizationIds, from, to],
    );
  }
}
