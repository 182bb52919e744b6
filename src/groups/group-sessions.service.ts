import { ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { reportsConfig, type ReportsConfig } from '../config/reports.config';
import { ContactsService, GroupContactChange } from '../contacts/contacts.service';
import { isUniqueViolation } from '../database/errors';
import type { Tx } from '../database/transaction';
import { FieldCipher } from '../privacy/field-cipher';
import type { Page } from '../web/pagination';
import type { SessionInput } from './group-sessions.forms';
import { ActivityRow, AttendanceRow, GroupSessionsRepository } from './group-sessions.repository';
import type { GroupSession } from './group-session.entity';
import { GroupsService } from './groups.service';
import type { PeerGroup } from './peer-group.entity';
import { SuppressedCount, suppressCount, suppressTable } from '../reports/suppression';

export class InactiveGroupError extends Error {
  constructor() {
    super('The group is inactive');
  }
}

/** A session as its page shows it: the note opened, the attendance by display code. */
export interface SessionRecord {
  session: GroupSession;
  group: PeerGroup;
  attendance: AttendanceRow[];
  note: string | null;
}

/** The activity table a manager sees: people counts from 1 to k−1 hidden (null), with their complements. */
export interface ActivityTable {
  threshold: number;
  rows: Array<Omit<ActivityRow, 'membersReached' | 'anonymousAttendees'> & ShownPeople>;
  total: Omit<ActivityRow, 'membersReached' | 'anonymousAttendees'> & ShownPeople;
}

interface ShownPeople {
  membersReached: SuppressedCount;
  anonymousAttendees: SuppressedCount;
}

/** The figures of the indicator export (issue #5), one per district of the groups and for `ALL`: counts. */
export interface GroupIndicatorRow {
  indicator: 'group_sessions' | 'group_members_reached';
  /** `ALL` or a district code. */
  district: string;
  domain: 'ALL';
  numerator: number;
  denominator: null;
}

type Counts = Record<GroupContactChange, number>;

/** Contacts, attendance and the rest change together: a member-day race is retried once. */
const ATTEMPTS = 2;

@Injectable()
export class GroupSessionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessionsRepository: GroupSessionsRepository,
    private readonly groupsService: GroupsService,
    private readonly contactsService: ContactsService,
    private readonly auditService: AuditService,
    private readonly cipher: FieldCipher,
    @Inject(reportsConfig.KEY) private readonly reports: ReportsConfig,
  ) {}

  /** A live session of a group the actor may open, or 404. */
  async getForActor(actor: Actor, id: string): Promise<{ session: GroupSession; group: PeerGroup }> {
    const session = await this.sessionsRepository.findVisibleTo(actor, id);
    if (!session) throw new NotFoundException();
    const group = await this.groupsService.getForActor(actor, session.groupId);
    return { session, group };
  }

  /** The session page (attendance, note): audited like every read. */
  async openForActor(actor: Actor, context: AuditContext, id: string): Promise<SessionRecord> {
    const { session, group } = await this.getForActor(actor, id);
    await this.auditService.record(null, context, {
      action: 'group_session.viewed',
      target: { type: 'group_session', id: session.id },
    });
    return this.toRecord(session, group);
  }

  /** The session when the actor may change it (the group's coordinator or a manager): 404 or 403 otherwise. */
  async getEditable(actor: Actor, id: string): Promise<SessionRecord> {
    const { session, group } = await this.getForActor(actor, id);
    if (!(await this.groupsService.canRun(actor, group))) throw new ForbiddenException();
    return this.toRecord(session, group);
  }

  listForGroup(group: PeerGroup, page: Page) {
    return this.sessionsRepository.listForGroup(group.id, page.offset, page.limit);
  }

  attendedBy(clientId: string, groupIds: string[], limit?: number) {
    return groupIds.length > 0 ? this.sessionsRepository.attendedBy(clientId, groupIds, limit) : Promise.resolve([]);
  }

  /**
   * Logs a session with its attendance. With "counts as outreach contact", each member who came gets
   * one contact (modality `group`) on the session day, through the contact service, in the same
   * transaction. A repeated submission (double tap, slow network) returns the session the first one logged.
   */
  async record(
    actor: Actor,
    context: AuditContext,
    group: PeerGroup,
    input: SessionInput,
    submissionKey: string,
  ): Promise<GroupSession> {
    const repeated = await this.sessionsRepository.findBySubmissionKey(submissionKey);
    if (repeated) return this.sameGroup(repeated, group);
    if (!group.active) throw new InactiveGroupError();
    return this.withRetry(
      () =>
        this.dataSource.transaction(async (tx) => {
          const session = await this.sessionsRepository.insert(tx, {
            groupId: group.id,
            organizationId: group.organizationId,
            ...this.fields(input),
            recordedBy: actor.userId,
            submissionKey,
          });
          await this.sessionsRepository.replaceAttendance(tx, session.id, input.attendance);
          const contacts = await this.syncContacts(tx, context, group, this.memberDays(session, input));
          await this.auditService.record(tx, context, {
            action: 'group_session.created',
            target: { type: 'group_session', id: session.id },
            organizationId: group.organizationId,
            details: { groupId: group.id, ...this.summary(input), contacts },
          });
          return session;
        }),
      async () => {
        const first = await this.sessionsRepository.findBySubmissionKey(submissionKey);
        return first ? this.sameGroup(first, group) : null;
      },
    );
  }

  /** Changes a session and its attendance; the contacts of the member-days before and after follow. */
  async update(context: AuditContext, record: SessionRecord, input: SessionInput): Promise<void> {
    const { session, group } = record;
    const before = this.memberDays(session, {
      countsAsContact: session.countsAsContact,
      attendance: record.attendance,
    });
    const changed = this.changedFields(record, input);
    await this.withRetry(
      () =>
        this.dataSource.transaction(async (tx) => {
          await this.sessionsRepository.update(tx, session.id, this.fields(input));
          await this.sessionsRepository.replaceAttendance(tx, session.id, input.attendance);
          const after = this.memberDays({ sessionDate: input.sessionDate }, input);
          const contacts = await this.syncContacts(tx, context, group, [...before, ...after]);
          await this.auditService.record(tx, context, {
            action: 'group_session.updated',
            target: { type: 'group_session', id: session.id },
            organizationId: group.organizationId,
            details: { groupId: group.id, changed, ...this.summary(input), contacts },
          });
        }),
      () => Promise.resolve(null),
    );
  }

  /** Soft delete: gone from pages, aggregates and indicators (with the contacts it recorded), kept for the audit trail. */
  async remove(context: AuditContext, record: SessionRecord): Promise<void> {
    const { session, group } = record;
    const before = this.memberDays(session, {
      countsAsContact: session.countsAsContact,
      attendance: record.attendance,
    });
    await this.withRetry(
      () =>
        this.dataSource.transaction(async (tx) => {
          await this.sessionsRepository.update(tx, session.id, { deletedAt: new Date(), noteCipher: null });
          const contacts = await this.syncContacts(tx, context, group, before);
          await this.auditService.record(tx, context, {
            action: 'group_session.deleted',
            target: { type: 'group_session', id: session.id },
            organizationId: group.organizationId,
            details: { groupId: group.id, contacts },
          });
        }),
      () => Promise.resolve(null),
    );
  }

  // -- for managers -----------------------------------------------------------------------------

  /**
   * Group activity across the organizations the manager oversees, per district of the groups: people
   * counts (members reached, anonymous attendees) from 1 to k−1 are hidden, with complementary cells,
   * as on every aggregate that reaches a manager's screen. Viewing it is audited.
   */
  async activity(actor: Actor, context: AuditContext, from: string, to: string): Promise<ActivityTable> {
    const rows = await this.sessionsRepository.activity(actor.organizationIds, from, to);
    const total = rows.find((r) => r.districtCode === null) ?? {
      districtCode: null,
      activeGroups: 0,
      sessions: 0,
      membersReached: 0,
      anonymousAttendees: 0,
      condoms: 0,
      lubricants: 0,
      hivSelfTests: 0,
    };
    const districts = rows.filter((r) => r.districtCode !== null);
    const k = this.reports.suppressionThreshold;
    const column = (counts: number[]) =>
      suppressTable(
        counts.map((n) => [n]),
        { threshold: k, columns: 1 },
      );
    const members = column(districts.map((r) => r.membersReached));
    const anonymous = column(districts.map((r) => r.anonymousAttendees));
    // A member who came to groups in two districts counts once overall: the total shown is the distinct
    // count, hidden whenever the sum the suppression protects is hidden, or when it is small itself.
    const membersTotal = members.total.hidden ? members.total : suppressCount(total.membersReached, k);
    await this.auditService.record(null, context, {
      action: 'group.activity_viewed',
      details: { from, to, organizations: actor.organizationIds.length },
    });
    return {
      threshold: k,
      rows: districts.map((r, i) => ({
        ...r,
        membersReached: members.cells[i][0],
        anonymousAttendees: anonymous.cells[i][0],
      })),
      total: { ...total, membersReached: membersTotal, anonymousAttendees: anonymous.total },
    };
  }

  /**
   * `group_sessions` and `group_members_reached` for the indicators (dashboard and export): unsuppressed
   * counts for `ALL` and for each district of the groups, domain `ALL`. The indicator table applies its
   * own small-cell suppression, as to every figure it shows or writes.
   */
  async indicatorRows(organizationIds: string[], from: string, to: string): Promise<GroupIndicatorRow[]> {
    const figures = await this.sessionsRepository.indicatorFigures(organizationIds, from, to);
    return figures.flatMap((f) => [
      {
        indicator: 'group_sessions',
        district: f.districtCode ?? 'ALL',
        domain: 'ALL',
        numerator: f.groupSessions,
        denominator: null,
      },
      {
        indicator: 'group_members_reached',
        district: f.districtCode ?? 'ALL',
        domain: 'ALL',
        numerator: f.groupMembersReached,
        denominator: null,
      },
    ]);
  }

  // -- internals --------------------------------------------------------------------------------

  private async toRecord(session: GroupSession, group: PeerGroup): Promise<SessionRecord> {
    const attendance = await this.sessionsRepository.attendanceOf(session.id);
    return { session, group, attendance, note: session.noteCipher ? this.cipher.decrypt(session.noteCipher) : null };
  }

  private sameGroup(session: GroupSession, group: PeerGroup): GroupSession {
    if (session.groupId !== group.id) throw new NotFoundException();
    return session;
  }

  private fields(input: SessionInput) {
    return {
      sessionDate: input.sessionDate,
      durationMinutes: input.durationMinutes,
      sessionType: input.sessionType,
      topics: input.topics,
      facilitatorUserIds: input.facilitatorUserIds,
      anonymousAttendees: input.anonymousAttendees,
      condoms: input.condoms,
      lubricants: input.lubricants,
      hivSelfTests: input.hivSelfTests,
      countsAsContact: input.countsAsContact,
      noteCipher: input.note ? this.cipher.encrypt(input.note) : null,
    };
  }

  /** Counts and codes only: never the note, never a display code. */
  private summary(input: SessionInput) {
    return {
      sessionType: input.sessionType,
      members: input.attendance.length,
      anonymousAttendees: input.anonymousAttendees,
      countsAsContact: input.countsAsContact,
    };
  }

  private changedFields(record: SessionRecord, input: SessionInput): string[] {
    const { session } = record;
    const same = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();
    const changed: string[] = [];
    for (const key of [
      'sessionDate',
      'durationMinutes',
      'sessionType',
      'anonymousAttendees',
      'condoms',
      'lubricants',
      'hivSelfTests',
      'countsAsContact',
    ] as const) {
      if (session[key] !== input[key]) changed.push(key);
    }
    if (!same(session.topics, input.topics)) changed.push('topics');
    if (!same(session.facilitatorUserIds, input.facilitatorUserIds)) changed.push('facilitators');
    const attendance = (rows: Array<{ clientId: string; facilitated: boolean }>) =>
      rows.map((r) => `${r.clientId}:${r.facilitated ? 1 : 0}`);
    if (!same(attendance(record.attendance), attendance(input.attendance))) changed.push('attendance');
    if ((record.note ?? '') !== (input.note ?? '')) changed.push('note');
    return changed;
  }

  /** The member-days a session gives contacts to (none when it does not count as outreach). */
  private memberDays(
    session: Pick<GroupSession, 'sessionDate'>,
    input: { countsAsContact: boolean; attendance: Array<{ clientId: string }> },
  ): Array<{ clientId: string; day: string }> {
    return input.countsAsContact
      ? input.attendance.map((a) => ({ clientId: a.clientId, day: session.sessionDate }))
      : [];
  }

  /** Brings the contact of each member-day in line with the live sessions of that day (see ContactsService). */
  private async syncContacts(
    tx: Tx,
    context: AuditContext,
    group: PeerGroup,
    days: Array<{ clientId: string; day: string }>,
  ): Promise<Counts> {
    const counts: Counts = { created: 0, updated: 0, deleted: 0, unchanged: 0 };
    const seen = new Set<string>();
    // A restricted client's record is read-only: no contact is created or changed for them (MISSION §2
    // rule 7); one whose session is gone is still removed, so no contact outlives its session.
    const restricted = await this.sessionsRepository.restrictedAmong(tx, [...new Set(days.map((d) => d.clientId))]);
    for (const { clientId, day } of days) {
      const key = `${clientId}|${day}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const owner = await this.sessionsRepository.contactOwner(tx, clientId, day);
      if (owner && restricted.has(clientId)) {
        counts.unchanged++;
        continue;
      }
      const change = await this.contactsService.syncGroupContact(
        tx,
        context,
        { clientId, organizationId: group.organizationId, contactDate: day },
        owner
          ? {
              groupSessionId: owner.sessionId,
              workerId: owner.recordedBy,
              districtCode: owner.districtCode,
              topics: owner.topics,
            }
          : null,
      );
      counts[change]++;
    }
    return counts;
  }

  /**
   * Runs a write; on a unique violation, `settled` says whether an earlier identical submission
   * already did it (its result is returned), otherwise the write is tried once more (two sessions of
   * the same day saved at the same moment both wanted to create a member-day's contact).
   */
  private async withRetry<T>(write: () => Promise<T>, settled: () => Promise<T | null>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        const earlier = await settled();
        if (earlier) return earlier;
        if (attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
