import type { NeedsAssessment, NeedsAssessmentDomain } from '../assessments/needs-assessment.entity';
import type { Actor } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import { districtNames, toTimelineRow } from '../clients/clients.view';
import type { ContactRecord } from '../contacts/contacts.service';
import type { District } from '../geography/district.entity';
import { DOMAINS } from '../reference/codes';
import type { ReferralListRow } from '../referrals/referrals.repository';
import type { HistoryLine, ReferralRecord } from '../referrals/referrals.service';
import { daysLeft, isOverdue } from './deadline';
import {
  OUTCOME_REASONS,
  type PrivacyRequest,
  PRIVACY_REQUEST_TYPES,
  type PrivacyRequestStatus,
} from './privacy-request.entity';
import type { PrivacyRequestRow } from './privacy-requests.repository';
import type { PrivacyRequestRecord } from './privacy-requests.service';
import { isRestricted, LIFT_REASONS, RESTRICT_REASONS } from './restriction';

export const REQUESTS_PATH = '/privacy/requests';
export const requestPath = (id: string) => `${REQUESTS_PATH}/${id}`;
export const clientPath = (clientId: string) => `/clients/${clientId}`;
export const newRequestPath = (clientId: string) => `${clientPath(clientId)}/privacy-requests/new`;
export const summaryPath = (clientId: string) => `${clientPath(clientId)}/summary`;
export const restrictionPath = (clientId: string) => `${clientPath(clientId)}/restriction`;

const statusKey = (status: PrivacyRequestStatus) => `privacyRequests.status.${status}`;
const typeKey = (type: string) => `privacyRequests.type.${type}`;
const reasonKey = (reason: string) => `privacyRequests.reason.${reason}`;

/** A line of the log: codes, days and who, never a note. The client link only while the client is active. */
export const toRequestRow = (row: PrivacyRequestRow, today: string) => {
  const left = daysLeft(row.dueOn, today);
  return {
    href: requestPath(row.id),
    displayCode: row.displayCode,
    clientHref: row.clientStatus === 'active' ? clientPath(row.clientId) : null,
    clientGoneKey: row.clientStatus === 'active' ? null : `privacyRequests.clientGone.${row.clientStatus}`,
    typeKey: typeKey(row.type),
    receivedOn: row.receivedOn,
    dueOn: row.dueOn,
    open: row.status === 'open',
    overdue: isOverdue(row, today),
    dueToday: row.status === 'open' && left === 0,
    daysLeft: left,
    daysLate: -left,
    status: row.status,
    statusKey: statusKey(row.status),
    reasonKey: row.outcomeReason ? reasonKey(row.outcomeReason) : null,
    closedOn: row.closedOn,
    handledByName: row.handledByName ?? '',
    createdByName: row.createdByName ?? '',
  };
};

export const toRequestDetail = (record: PrivacyRequestRecord, today: string) => ({
  ...toRequestRow(record.row, today),
  id: record.request.id,
  version: record.request.version,
  note: record.note,
  outcomeNote: record.outcomeNote,
  keyDestroyed: record.keyDestroyed,
  notesErased: record.keyDestroyed && (record.request.noteCipher !== null || record.request.outcomeNoteCipher !== null),
});

export const typeOptions = () => PRIVACY_REQUEST_TYPES.map((type) => ({ value: type, labelKey: typeKey(type) }));

/** The outcome select: done or refused. */
export const outcomeOptions = () =>
  (['done', 'refused'] as const).map((status) => ({ value: status, labelKey: statusKey(status) }));

/** The reasons, grouped under the outcome they belong to. */
export const reasonGroups = () =>
  (['done', 'refused'] as const).map((status) => ({
    labelKey: statusKey(status),
    options: OUTCOME_REASONS[status].map((reason) => ({ value: reason, labelKey: reasonKey(reason) })),
  }));

export const restrictReasonOptions = () =>
  RESTRICT_REASONS.map((reason) => ({ value: reason, labelKey: `restriction.restrictReason.${reason}` }));
export const liftReasonOptions = () =>
  LIFT_REASONS.map((reason) => ({ value: reason, labelKey: `restriction.liftReason.${reason}` }));

// -- the client page -----------------------------------------------------------------------------

/** Links of the client page that write to the record: none of them while processing is restricted. */
const WRITE_ACTIONS = ['recordContactHref', 'newAssessmentHref', 'newReferralHref', 'editHref', 'mergeHref'];

/**
 * The client page's actions with the data-subject rights added (summary, request log, restriction),
 * and the write links taken away while the client's processing is restricted.
 */
export function withPrivacyActions<T extends object>(actor: Actor, client: Client, actions: T) {
  const restricted = isRestricted(client);
  const kept = restricted
    ? Object.fromEntries(Object.entries(actions).map(([key, href]) => [key, WRITE_ACTIONS.includes(key) ? null : href]))
    : actions;
  return {
    ...(kept as T),
    restricted,
    restrictedAt: client.restrictedAt,
    summaryHref: actor.permissions.has('clients:read') ? summaryPath(client.id) : null,
    newRequestHref: actor.permissions.has('privacy:requests') ? newRequestPath(client.id) : null,
    restrictionHref: actor.permissions.has('privacy:erase') ? restrictionPath(client.id) : null,
  };
}

export const toClientHeading = (client: Client) => ({
  displayCode: client.displayCode ?? '',
  href: clientPath(client.id),
  restricted: isRestricted(client),
  restrictedAt: client.restrictedAt,
});

// -- the data summary ----------------------------------------------------------------------------

interface SummaryData {
  client: Client;
  alias: string | null;
  contacts: ContactRecord[];
  assessments: Array<NeedsAssessment & { answers: NeedsAssessmentDomain[] }>;
  referrals: Array<{ row: ReferralListRow; referral: ReferralRecord; history: HistoryLine[] }>;
  memberships: Array<{ groupId: string; groupName: string; role: string; joinedOn: string; leftOn: string | null }>;
  attended: Array<{ groupId: string; sessionDate: string; sessionType: string; facilitated: boolean }>;
  requests: Array<PrivacyRequest & { note: string | null; outcomeNote: string | null }>;
  districts: District[];
  printedOn: string;
  truncated: boolean;
}

/** Everything held, in the order the summary reads it to the client. Staff appear by role, never by name. */
export function toSummaryView(data: SummaryData) {
  const names = districtNames(data.districts);
  const { client } = data;
  const groupNames = new Map(data.memberships.map((m) => [m.groupId, m.groupName]));
  return {
    details: {
      displayCode: client.displayCode ?? '',
      alias: data.alias,
      genderKey: `codes.gender.${client.gender}`,
      birthYear: client.birthYear,
      districtName: names.get(client.primaryDistrict) ?? client.primaryDistrict,
      workSettingKey: `codes.workSetting.${client.workSetting}`,
      firstContactDate: client.firstContactDate,
      consentDate: client.consentDate,
      consentNoticeVersion: client.consentNoticeVersion,
      restricted: isRestricted(client),
      restrictedAt: client.restrictedAt,
    },
    contacts: data.contacts.map((contact) => toTimelineRow(contact, names, false)),
    assessments: data.assessments.map((assessment) => ({
      assessedOn: assessment.assessedOn,
      violenceKey: assessment.violence ? `codes.violence.${assessment.violence}` : null,
      answers: DOMAINS.flatMap((domain) => {
        const answer = assessment.answers.find((a) => a.domain === domain);
        return answer
          ? [
              {
                domainKey: `codes.domain.${domain}`,
                needKey: `codes.answer.${answer.need}`,
                eligibleKey: `codes.answer.${answer.eligible}`,
              },
            ]
          : [];
      }),
    })),
    referrals: data.referrals.map(({ row, referral, history }) => ({
      serviceTypeKey: `codes.serviceType.${row.serviceType}`,
      domainKey: `codes.domain.${row.domain}`,
      providerName: row.providerName,
      referredOn: row.referredOn,
      appointmentOn: row.appointmentOn,
      statusKey: `codes.referralStatus.${row.status}`,
      statusOn: row.statusOn,
      completedOn: row.completedOn,
      note: referral.note,
      outcomeNote: referral.outcomeNote,
      history: history.map((line) => ({
        statusOn: line.statusOn,
        toKey: `codes.referralStatus.${line.toStatus}`,
        correction: line.correction,
        byProvider: line.actorKind === 'provider',
        note: line.note,
      })),
    })),
    memberships: data.memberships.map((m) => ({
      groupName: m.groupName,
      roleKey: `codes.memberRole.${m.role}`,
      joinedOn: m.joinedOn,
      leftOn: m.leftOn,
    })),
    attended: data.attended.map((s) => ({
      sessionDate: s.sessionDate,
      typeKey: `codes.sessionType.${s.sessionType}`,
      groupName: groupNames.get(s.groupId) ?? '',
      facilitated: s.facilitated,
    })),
    requests: data.requests.map((r) => ({
      typeKey: typeKey(r.type),
      receivedOn: r.receivedOn,
      dueOn: r.dueOn,
      statusKey: statusKey(r.status),
      reasonKey: r.outcomeReason ? reasonKey(r.outcomeReason) : null,
      closedOn: r.closedOn,
      note: r.note,
      outcomeNote: r.outcomeNote,
    })),
    printedOn: data.printedOn,
    truncated: data.truncated,
  };
}
