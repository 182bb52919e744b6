import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { isUniqueViolation } from '../database/errors';
import { isRestricted } from '../privacy-requests/restriction';
import type { MemberRole } from '../reference/codes';
import type { GroupInput, MemberLookup, MembershipInput } from './groups.forms';
import { CoordinatorRow, GroupsRepository, MemberRow, MonthRow } from './groups.repository';
import type { GroupMembership, PeerGroup } from './peer-group.entity';
import { addMonths, lastMonths, monthStart } from './periods';

/** A group page's figures (MISSION §4 / issue #6): activity per month and who to follow up. */
export interface GroupFigures {
  months: Array<MonthRow & { average: number | null }>;
  /** The last 3 months: sessions and the average attendance per session (members and others). */
  recentSessions: number;
  recentAverage: number | null;
  activeMembers: number;
  currentMembers: number;
  /** Current members who have not come for 2 months (or never, 2 months after joining). */
  followUp: MemberRow[];
}

export const MONTHS_SHOWN = 6;
export const ACTIVE_MONTHS = 3;
export const FOLLOW_UP_MONTHS = 2;

export type AddMemberOutcome =
  { kind: 'added'; membership: GroupMembership } | { kind: 'refused'; field: string; messageKey: string };

export class GroupNameTakenError extends Error {
  constructor() {
    super('Group name taken');
  }
}

const average = (total: number, sessions: number) => (sessions > 0 ? Math.round((total / sessions) * 10) / 10 : null);
const shown = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

@Injectable()
export class GroupsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly groupsRepository: GroupsRepository,
    private readonly clientsService: ClientsService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return localDay(this.clock.now());
  }

  /** The group, or 404 when it is missing, of another organization or (for a coordinator) not theirs. */
  async getForActor(actor: Actor, id: string): Promise<PeerGroup> {
    const group = await this.groupsRepository.findVisibleTo(actor, id);
    if (!group) throw new NotFoundException();
    return group;
  }

  /** Opening the group page (members by display code, attendance): audited like every read. */
  async openForActor(actor: Actor, context: AuditContext, id: string): Promise<PeerGroup> {
    const group = await this.getForActor(actor, id);
    await this.auditService.record(null, context, { action: 'group.viewed', target: { type: 'group', id: group.id } });
    return group;
  }

  /** Members and sessions are kept by the group's coordinators and the organization's managers. */
  async canRun(actor: Actor, group: PeerGroup): Promise<boolean> {
    if (group.organizationId !== actor.organizationId || !actor.permissions.has('groups:write')) return false;
    if (actor.role === 'manager') return true;
    return this.groupsRepository.isCoordinator(group.id, actor.userId);
  }

  /** The group when the actor may run it: 404 outside their scope, 403 when they only see it. */
  async getRunnable(actor: Actor, id: string): Promise<PeerGroup> {
    const group = await this.getForActor(actor, id);
    if (!(await this.canRun(actor, group))) throw new ForbiddenException();
    return group;
  }

  listVisible(actor: Actor) {
    return this.groupsRepository.listVisible(actor);
  }

  coordinatorsOf(group: PeerGroup): Promise<CoordinatorRow[]> {
    return this.groupsRepository.coordinatorsOf(group.id);
  }

  /** Who may be named as a session's staff facilitator: the coordinators, and anyone a session already names. */
  async facilitatorStaff(group: PeerGroup, named: readonly string[] = []): Promise<CoordinatorRow[]> {
    const coordinators = await this.groupsRepository.coordinatorsOf(group.id);
    const others = named.filter((id) => !coordinators.some((c) => c.id === id));
    return [...coordinators, ...(await this.groupsRepository.staffByIds(group.organizationId, others))];
  }

  coordinatorCandidates(actor: Actor): Promise<CoordinatorRow[]> {
    return this.groupsRepository.coordinatorCandidates(actor.organizationId);
  }

  /**
   * Creates a group with its coordinators (manager). A repeated submission (double tap) returns the
   * group the first one created.
   */
  async create(actor: Actor, context: AuditContext, input: GroupInput, submissionKey: string): Promise<PeerGroup> {
    const repeated = await this.groupsRepository.findBySubmissionKey(submissionKey);
    if (repeated) {
      if (repeated.organizationId !== actor.organizationId) throw new NotFoundException();
      return repeated;
    }
    if (await this.groupsRepository.nameTaken(actor.organizationId, input.name)) throw new GroupNameTakenError();
    try {
      return await this.dataSource.transaction(async (tx) => {
        const group = await this.groupsRepository.insert(tx, {
          organizationId: actor.organizationId,
          name: input.name,
          kind: input.kind,
          districtCode: input.districtCode,
          foundedOn: input.foundedOn,
          active: input.active,
          submissionKey,
        });
        await this.groupsRepository.setCoordinators(tx, group.id, input.coordinatorIds);
        await this.auditService.record(tx, context, {
          action: 'group.created',
          target: { type: 'group', id: group.id },
          details: { kind: input.kind, districtCode: input.districtCode, coordinatorIds: input.coordinatorIds },
        });
        return group;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const first = await this.groupsRepository.findBySubmissionKey(submissionKey);
      if (first && first.organizationId === actor.organizationId) return first;
      throw new GroupNameTakenError();
    }
  }

  /** Changes a group and its coordinators (manager); the changed fields are audited, never their values. */
  async update(actor: Actor, context: AuditContext, group: PeerGroup, input: GroupInput): Promise<void> {
    if (group.organizationId !== actor.organizationId) throw new NotFoundException();
    if (await this.groupsRepository.nameTaken(actor.organizationId, input.name, group.id)) {
      throw new GroupNameTakenError();
    }
    const changed = (['name', 'kind', 'districtCode', 'foundedOn', 'active'] as const).filter(
      (k) => group[k] !== input[k],
    );
    try {
      await this.dataSource.transaction(async (tx) => {
        await this.groupsRepository.update(tx, group.id, {
          name: input.name,
          kind: input.kind,
          districtCode: input.districtCode,
          foundedOn: input.foundedOn,
          active: input.active,
        });
        const coordinators = await this.groupsRepository.setCoordinators(tx, group.id, input.coordinatorIds);
        if (changed.length === 0 && coordinators.added.length === 0 && coordinators.removed.length === 0) return;
        await this.auditService.record(tx, context, {
          action: 'group.updated',
          target: { type: 'group', id: group.id },
          details: { changed, coordinatorsAdded: coordinators.added, coordinatorsRemoved: coordinators.removed },
        });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new GroupNameTakenError();
      throw error;
    }
  }

  /** The latest founding day an edited group may take: its first session or membership, if any. */
  earliestActivity(group: PeerGroup): Promise<string | null> {
    return this.groupsRepository.earliestActivity(group.id);
  }

  // -- membership -------------------------------------------------------------------------------

  membersOf(group: PeerGroup): Promise<MemberRow[]> {
    return this.groupsRepository.membersOf(group.id);
  }

  /** Who may be ticked as present at a session on that day. */
  membersOn(group: PeerGroup, day: string): Promise<MemberRow[]> {
    return this.groupsRepository.membersOn(group.id, day);
  }

  /**
   * Adds a client of the organization to the group, found by display code or by the code parts. A
   * client already in the group, or rejoining before the day they left, is refused with a message for
   * the field; a repeated submission returns what the first one added.
   */
  async addMember(
    actor: Actor,
    context: AuditContext,
    group: PeerGroup,
    lookup: MemberLookup,
    input: MembershipInput,
  ): Promise<AddMemberOutcome> {
    const field = lookup.kind === 'code' ? 'displayCode' : 'mother';
    const repeated = await this.groupsRepository.findMembershipBySubmissionKey(input.submissionKey);
    if (repeated) {
      if (repeated.groupId !== group.id) return { kind: 'refused', field, messageKey: 'groups.errors.submission' };
      return { kind: 'added', membership: repeated };
    }
    if (!group.active) return { kind: 'refused', field, messageKey: 'groups.errors.inactive' };
    const client = await this.findClient(actor, context, lookup);
    if (!client) {
      return {
        kind: 'refused',
        field,
        messageKey: lookup.kind === 'code' ? 'groups.errors.noSuchCode' : 'groups.errors.noSuchClient',
      };
    }
    // A client who restricted the processing of their data joins no group until that is lifted.
    if (isRestricted(client)) return { kind: 'refused', field, messageKey: 'restriction.memberRefused' };
    const current = await this.groupsRepository.currentMembership(group.id, client.id);
    if (current) {
      return { kind: 'refused', field, messageKey: `groups.errors.alreadyMember|date=${shown(current.joinedOn)}` };
    }
    const lastLeft = await this.groupsRepository.lastLeftOn(group.id, client.id);
    if (lastLeft && input.joinedOn <= lastLeft) {
      return {
        kind: 'refused',
        field: 'joinedOn',
        messageKey: `groups.errors.rejoinBeforeLeft|date=${shown(lastLeft)}`,
      };
    }
    try {
      const membership = await this.dataSource.transaction(async (tx) => {
        const created = await this.groupsRepository.insertMembership(tx, {
          groupId: group.id,
          clientId: client.id,
          role: input.role,
          joinedOn: input.joinedOn,
          leftOn: null,
          submissionKey: input.submissionKey,
        });
        await this.auditService.record(tx, context, {
          action: 'group.member_added',
          target: { type: 'group_membership', id: created.id },
          details: { groupId: group.id, clientId: client.id, role: input.role, rejoined: lastLeft !== null },
        });
        return created;
      });
      return { kind: 'added', membership };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Two submissions racing: the first one added the member.
      const first = await this.groupsRepository.currentMembership(group.id, client.id);
      if (!first) throw error;
      if (first.submissionKey === input.submissionKey) return { kind: 'added', membership: first };
      return { kind: 'refused', field, messageKey: `groups.errors.alreadyMember|date=${shown(first.joinedOn)}` };
    }
  }

  /** A current membership of the group (a closed period is history: it is not changed any more). */
  async getCurrentMembership(group: PeerGroup, membershipId: string): Promise<GroupMembership> {
    const membership = await this.groupsRepository.findMembership(group.id, membershipId);
    if (!membership || membership.leftOn !== null) throw new NotFoundException();
    return membership;
  }

  /** The last session of the group the member came to during this membership (a leaving day may not precede it). */
  lastAttendedDuring(membership: GroupMembership): Promise<string | null> {
    return this.groupsRepository.lastAttendedSince(membership.groupId, membership.clientId, membership.joinedOn);
  }

  async changeRole(context: AuditContext, membership: GroupMembership, role: MemberRole): Promise<void> {
    if (membership.leftOn) throw new NotFoundException();
    if (membership.role === role) return;
    await this.dataSource.transaction(async (tx) => {
      await this.groupsRepository.updateMembership(tx, membership.id, { role });
      await this.auditService.record(tx, context, {
        action: 'group.member_updated',
        target: { type: 'group_membership', id: membership.id },
        details: { groupId: membership.groupId, clientId: membership.clientId, from: membership.role, to: role },
      });
    });
  }

  /** Records that a member left (their history stays; rejoining opens a new period). */
  async recordLeaving(context: AuditContext, membership: GroupMembership, leftOn: string): Promise<void> {
    if (membership.leftOn) throw new NotFoundException();
    await this.dataSource.transaction(async (tx) => {
      await this.groupsRepository.updateMembership(tx, membership.id, { leftOn });
      await this.auditService.record(tx, context, {
        action: 'group.member_left',
        target: { type: 'group_membership', id: membership.id },
        details: { groupId: membership.groupId, clientId: membership.clientId },
      });
    });
  }

  /** A client's membership periods in the groups the actor may see (the member page). */
  membershipsOfClient(actor: Actor, client: Client) {
    return this.groupsRepository.membershipsOfClient(
      client.id,
      actor.organizationId,
      actor.role === 'peer_coordinator' ? actor.userId : undefined,
    );
  }

  // -- the group page's figures -------------------------------------------------------------------

  async figures(group: PeerGroup, members: MemberRow[]): Promise<GroupFigures> {
    const today = this.today();
    const recentFrom = addMonths(today, -ACTIVE_MONTHS);
    const followUpBefore = addMonths(today, -FOLLOW_UP_MONTHS);
    const firstMonth = monthStart(today, MONTHS_SHOWN - 1);
    const [monthly, recent, activeMembers] = await Promise.all([
      this.groupsRepository.monthly(group.id, firstMonth),
      this.groupsRepository.totalsSince(group.id, recentFrom),
      this.groupsRepository.activeMembersSince(group.id, recentFrom),
    ]);
    const byMonth = new Map(monthly.map((m) => [m.month, m]));
    const months = lastMonths(today, MONTHS_SHOWN).map((month) => {
      const row = byMonth.get(month) ?? { month, sessions: 0, memberAttendances: 0, anonymous: 0 };
      return { ...row, average: average(row.memberAttendances + row.anonymous, row.sessions) };
    });
    const current = members.filter((m) => m.leftOn === null);
    const followUp = current.filter((m) => {
      const lastSeen = m.lastAttended && m.lastAttended > m.joinedOn ? m.lastAttended : m.joinedOn;
      return lastSeen < followUpBefore;
    });
    return {
      months,
      recentSessions: recent.sessions,
      recentAverage: average(recent.attendances, recent.sessions),
      activeMembers,
      currentMembers: current.length,
      followUp,
    };
  }

  private async findClient(actor: Actor, context: AuditContext, lookup: MemberLookup): Promise<Client | null> {
    if (lookup.kind === 'code') return this.clientsService.findForEnrolment(actor, lookup.displayCode);
    const outcome = await this.clientsService.lookup(actor, context, lookup.parts);
    // Known only in another organization reads as unknown here: nothing about other organizations is told.
    return outcome.kind === 'existing' ? outcome.client : null;
  }
}
