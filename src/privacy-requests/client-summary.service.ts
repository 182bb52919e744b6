import { Injectable } from '@nestjs/common';
import { AssessmentsService } from '../assessments/assessments.service';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { ClientsService } from '../clients/clients.service';
import { Clock, localDay } from '../clock/clock';
import { ContactsService } from '../contacts/contacts.service';
import { DistrictsService } from '../geography/districts.service';
import { GroupSessionsService } from '../groups/group-sessions.service';
import { GroupsService } from '../groups/groups.service';
import { ReferralsService } from '../referrals/referrals.service';
import { PrivacyRequestsService } from './privacy-requests.service';

/**
 * Rows per list on the summary: "everything held" is meant literally. No client of an outreach program
 * comes near it; the page says so if one ever does.
 */
export const SUMMARY_ROWS = 5000;

/**
 * The "see" right (MISSION §2 rule 7): everything the organization holds about one client, gathered
 * through the services that own each record, with every note opened. Printing it is audited.
 */
@Injectable()
export class ClientSummaryService {
  constructor(
    private readonly clientsService: ClientsService,
    private readonly contactsService: ContactsService,
    private readonly assessmentsService: AssessmentsService,
    private readonly referralsService: ReferralsService,
    private readonly groupsService: GroupsService,
    private readonly sessionsService: GroupSessionsService,
    private readonly districtsService: DistrictsService,
    private readonly requestsService: PrivacyRequestsService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  async summary(actor: Actor, context: AuditContext, clientId: string) {
    const client = await this.clientsService.getForActor(actor, clientId);
    const [contacts, assessments, referralRows, memberships, requests, districts] = await Promise.all([
      this.contactsService.recentForClient(client, SUMMARY_ROWS),
      this.assessmentsService.history(client, SUMMARY_ROWS),
      this.referralsService.listForClient(client),
      this.groupsService.membershipsOfClient(actor, client),
      this.requestsService.forClient(client),
      this.districtsService.listAll(),
    ]);
    const referrals = [];
    for (const row of referralRows) {
      const { referral } = await this.referralsService.get(actor, row.id);
      referrals.push({ row, referral, history: await this.referralsService.history(client, row.id) });
    }
    const groupIds = [...new Set(memberships.map((m) => m.groupId))];
    const attended = await this.sessionsService.attendedBy(client.id, groupIds, SUMMARY_ROWS);
    await this.auditService.record(null, context, {
      action: 'client.summary_printed',
      target: { type: 'client', id: client.id },
    });
    return {
      client,
      alias: this.clientsService.aliasOf(client),
      contacts,
      assessments,
      referrals,
      memberships,
      attended,
      requests,
      districts,
      printedOn: localDay(this.clock.now()),
      truncated: [contacts, assessments, attended].some((list) => list.length >= SUMMARY_ROWS),
    };
  }
}
