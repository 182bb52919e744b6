import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AssessmentsService } from '../assessments/assessments.service';
import { AuditContext, AuditService } from '../audit/audit.service';
import { Actor, toActor } from '../auth/actor';
import type { Role } from '../auth/permissions';
import type { Client } from '../clients/client.entity';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { ContactsService } from '../contacts/contacts.service';
import { GroupSessionsService } from '../groups/group-sessions.service';
import { GroupsService } from '../groups/groups.service';
import type { GroupMembership } from '../groups/peer-group.entity';
import type { Organization } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { ProvidersService } from '../providers/providers.service';
import type { Domain } from '../reference/codes';
import { ReferralsService } from '../referrals/referrals.service';
import type { User } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import {
  DEFAULT_CLIENTS_PER_ORGANIZATION,
  planDemoProgram,
  PlannedAccount,
  PlannedClient,
  PlannedGroup,
  PlannedOrganization,
} from './demo-plan';
import { DemoRepository, ExistingRecords } from './demo.repository';

/** The database already has data: the demo is never mixed with it. */
export class DatabaseNotEmptyError extends Error {
  constructor(readonly found: ExistingRecords) {
    super('The database is not empty');
  }
}

export interface DemoOptions {
  clientsPerOrganization?: number;
}

export interface DemoAccount {
  username: string;
  role: Role;
  organizationCode: string;
  password: string;
}

export interface DemoCounts {
  organizations: number;
  users: number;
  clients: number;
  contacts: number;
  assessments: number;
  referrals: number;
  referralsCompleted: number;
  groups: number;
  groupSessions: number;
  providersAdded: number;
}

export interface DemoReport {
  today: string;
  firstDay: string;
  accounts: DemoAccount[];
  counts: DemoCounts;
}

/** Who acts for one organization: its accounts as the services see signed-in users. */
interface Staff {
  organization: Organization;
  context: AuditContext;
  manager: Actor;
  workers: Actor[];
  coordinator: Actor;
}

/**
 * Fills an empty database with the demo program of `demo-plan.ts`, through the same services as the
 * pages and imports (registration, contacts, assessments, referrals and their steps, groups and their
 * sessions), so every derived table, sealed note and audit row is what real use would have made.
 * Everything is audited as the command line user, in the organization concerned.
 */
@Injectable()
export class DemoSeedService {
  constructor(
    private readonly demoRepository: DemoRepository,
    private readonly organizationsService: OrganizationsService,
    private readonly usersService: UsersService,
    private readonly clientsService: ClientsService,
    private readonly contactsService: ContactsService,
    private readonly assessmentsService: AssessmentsService,
    private readonly referralsService: ReferralsService,
    private readonly providersService: ProvidersService,
    private readonly groupsService: GroupsService,
    private readonly groupSessionsService: GroupSessionsService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Refuses (changing nothing) unless there is no organization, user, client, contact or referral yet. */
  async refuseUnlessEmpty(): Promise<void> {
    const found = await this.demoRepository.existingRecords();
    if (Object.values(found).some((n) => n > 0)) throw new DatabaseNotEmptyError(found);
  }

  async seed(
    context: AuditContext,
    options: DemoOptions = {},
    progress: (line: string) => void = () => undefined,
  ): Promise<DemoReport> {
    await this.refuseUnlessEmpty();
    const today = localDay(this.clock.now());
    const plan = planDemoProgram(today, options.clientsPerOrganization ?? DEFAULT_CLIENTS_PER_ORGANIZATION);
    const counts: DemoCounts = {
      organizations: 0,
      users: 0,
      clients: 0,
      contacts: 0,
      assessments: 0,
      referrals: 0,
      referralsCompleted: 0,
      groups: 0,
      groupSessions: 0,
      providersAdded: 0,
    };
    counts.providersAdded = await this.providersService.addSamples(context);
    progress(`Service directory: ${counts.providersAdded} sample provider(s) added.`);

    const accounts: DemoAccount[] = [];
    const staff: Staff[] = [];
    for (const planned of plan.organizations) {
      const organization = await this.organizationsService.create(context, { code: planned.code, name: planned.name });
      counts.organizations++;
      const orgContext = { ...context, organizationId: organization.id };
      const create = async (account: PlannedAccount) => {
        const { user } = await this.usersService.create(orgContext, {
          username: account.username,
          role: account.role,
          organizationId: organization.id,
          password: account.password,
        });
        counts.users++;
        accounts.push({ ...account, organizationCode: organization.code });
        return user;
      };
      if (staff.length === 0) await create(plan.admin);
      const manager = await create(planned.manager);
      const workers: User[] = [];
      for (const account of planned.socialWorkers) workers.push(await create(account));
      const coordinator = await create(planned.peerCoordinator);
      staff.push({
        organization,
        context: orgContext,
        manager: actorOf(manager),
        workers: workers.map(actorOf),
        coordinator: actorOf(coordinator),
      });
    }
    // The first organization's manager also oversees the others' figures (aggregates only).
    const [lead, ...others] = staff;
    await this.usersService.update(lead.context, lead.manager.userId, {
      role: 'manager',
      organizationId: lead.organization.id,
      grantedOrganizationIds: others.map((s) => s.organization.id),
    });
    progress(`${counts.organizations} organizations and ${counts.users} accounts created.`);

    for (const [index, planned] of plan.organizations.entries()) {
      await this.seedOrganization(staff[index], planned, counts, progress);
    }

    await this.auditService.record(null, context, {
      action: 'demo.seeded',
      details: {
        ...counts,
        clientsPerOrganization: plan.organizations[0]?.clients.length ?? 0,
        days: [plan.firstDay, today],
      },
    });
    return { today, firstDay: plan.firstDay, accounts, counts };
  }

  private async seedOrganization(
    staff: Staff,
    planned: PlannedOrganization,
    counts: DemoCounts,
    progress: (line: string) => void,
  ): Promise<void> {
    const code = staff.organization.code;
    const clients: Client[] = [];
    for (const [n, plannedClient] of planned.clients.entries()) {
      clients.push(await this.seedClient(staff, plannedClient, counts));
      if ((n + 1) % 50 === 0 || n + 1 === planned.clients.length) {
        progress(`${code}: ${n + 1}/${planned.clients.length} clients with their contacts, assessments and referrals.`);
      }
    }
    for (const group of planned.groups) {
      await this.seedGroup(staff, group, clients, counts);
      progress(`${code}: group with ${group.members.length} members and ${group.sessions.length} sessions.`);
    }
  }

  private async seedClient(staff: Staff, planned: PlannedClient, counts: DemoCounts): Promise<Client> {
    const worker = staff.workers[planned.worker];
    const outcome = await this.clientsService.register(worker, staff.context, {
      uic: planned.uic,
      gender: planned.gender,
      birthYear: planned.birthYear,
      primaryDistrict: planned.primaryDistrict,
      workSetting: planned.workSetting,
      firstContactDate: planned.firstContactDate,
      consentDate: planned.firstContactDate,
      alias: planned.alias,
      confirmKnownElsewhere: true,
      submissionKey: randomUUID(),
    });
    // Codes are unique in the plan and the database was empty: anything else is a bug to see.
    if (outcome.kind !== 'created') throw new Error(`Demo client not registered (${outcome.kind})`);
    const client = outcome.client;
    counts.clients++;

    for (const contact of planned.contacts) {
      await this.contactsService.record(
        staff.workers[contact.worker],
        staff.context,
        client,
        {
          contactDate: contact.date,
          modality: contact.modality,
          districtCode: contact.districtCode,
          topics: contact.topics,
          condoms: contact.condoms,
          lubricants: contact.lubricants,
          hivSelfTests: contact.hivSelfTests,
          note: contact.note,
        },
        randomUUID(),
      );
      counts.contacts++;
    }
    for (const assessment of planned.assessments) {
      await this.assessmentsService.record(worker, staff.context, client.id, assessment, randomUUID());
      counts.assessments++;
    }
    for (const referral of planned.referrals) {
      const providerId = await this.providerFor(
        referral.domain,
        referral.serviceType,
        planned.primaryDistrict,
        referral.providerRoll,
      );
      const created = await this.at(referral.referredOn, () =>
        this.referralsService.create(
          worker,
          staff.context,
          client,
          {
            domain: referral.domain,
            serviceType: referral.serviceType,
            providerId,
            referredOn: referral.referredOn,
            appointmentOn: referral.appointmentOn,
            note: referral.note,
          },
          randomUUID(),
        ),
      );
      counts.referrals++;
      let version = created.version;
      for (const step of referral.steps) {
        const saved = await this.at(step.statusOn, () =>
          this.referralsService.changeStatus(worker, staff.context, created.id, version, step),
        );
        version = saved.version;
        if (step.status === 'completed') counts.referralsCompleted++;
      }
    }
    return client;
  }

  private async seedGroup(staff: Staff, planned: PlannedGroup, clients: Client[], counts: DemoCounts): Promise<void> {
    const { context, coordinator } = staff;
    const group = await this.groupsService.create(
      staff.manager,
      context,
      {
        name: planned.name,
        kind: planned.kind,
        districtCode: planned.districtCode,
        foundedOn: planned.foundedOn,
        active: true,
        coordinatorIds: [coordinator.userId],
      },
      randomUUID(),
    );
    counts.groups++;
    const leaving: Array<{ membership: GroupMembership; leftOn: string }> = [];
    for (const member of planned.members) {
      const outcome = await this.groupsService.addMember(
        coordinator,
        context,
        group,
        { kind: 'code', displayCode: clients[member.client].displayCode ?? '' },
        { role: member.role, joinedOn: member.joinedOn, submissionKey: randomUUID() },
      );
      if (outcome.kind !== 'added') throw new Error(`Demo member not added (${outcome.messageKey})`);
      if (member.leftOn) leaving.push({ membership: outcome.membership, leftOn: member.leftOn });
    }
    for (const session of planned.sessions) {
      await this.groupSessionsService.record(
        coordinator,
        context,
        group,
        {
          sessionDate: session.date,
          durationMinutes: session.durationMinutes,
          sessionType: session.sessionType,
          topics: session.topics,
          attendance: session.attendance.map((a) => ({ clientId: clients[a.client].id, facilitated: a.facilitated })),
          facilitatorUserIds: [coordinator.userId],
          anonymousAttendees: session.anonymousAttendees,
          condoms: session.condoms,
          lubricants: session.lubricants,
          hivSelfTests: session.hivSelfTests,
          countsAsContact: session.countsAsContact,
          note: session.note,
        },
        randomUUID(),
      );
      counts.groupSessions++;
    }
    for (const { membership, leftOn } of leaving) await this.groupsService.recordLeaving(context, membership, leftOn);
  }

  private readonly providers = new Map<string, string[]>();

  /** A provider offering the service (KP-friendly and the client's district first, as the form lists them), or none. */
  private async providerFor(
    domain: Domain,
    serviceType: string,
    district: string,
    roll: number,
  ): Promise<string | null> {
    const key = `${domain}|${serviceType}|${district}`;
    let ids = this.providers.get(key);
    if (!ids) {
      ids = (await this.referralsService.providersFor(domain, serviceType, district)).map((p) => p.id);
      this.providers.set(key, ids);
    }
    // Mostly the first one offered, sometimes another.
    return ids.length > 0 ? ids[Math.floor(roll ** 2 * ids.length)] : null;
  }

  /**
   * Runs a step with the clock showing that day (10:00 in Hanoi, or now if that is earlier). The services
   * stamp "now" on what they save (a referral's last activity, which the follow-up list counts from) and
   * refuse days after today: replaying the program's past takes the clock of the day it happened.
   */
  private async at<T>(day: string, step: () => Promise<T>): Promise<T> {
    const clock = this.clock as { now?: () => Date };
    const hadOwn = Object.prototype.hasOwnProperty.call(clock, 'now');
    const previous = this.clock.now;
    const instant = Math.min(Date.parse(`${day}T10:00:00+07:00`), this.clock.now().getTime());
    clock.now = () => new Date(instant);
    try {
      return await step();
    } finally {
      if (hadOwn) clock.now = previous;
      else delete clock.now;
    }
  }
}

const actorOf = (user: User): Actor =>
  toActor({
    id: user.id,
    username: user.username,
    role: user.role,
    organizationId: user.organizationId,
    grantedOrganizationIds: [],
    mustChangePassword: false,
    totpEnabled: false,
  });
