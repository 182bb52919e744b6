import type { Actor } from '../auth/actor';
import type { Client } from '../clients/client.entity';
import type { District } from '../geography/district.entity';
import type { ServiceProvider } from '../providers/service-provider.entity';
import { DOMAINS, REFERRAL_STATUSES, ReferralStatus, SERVICE_TYPES, VERIFICATIONS } from '../reference/codes';
import { FOLLOW_UP_DUE_DAYS, followUpState, nextStatuses } from './referral-status';
import type { FollowUpRow, ReferralListRow } from './referrals.repository';
import type { HistoryLine, ReferralRecord } from './referrals.service';

export const referralPath = (id: string) => `/referrals/${id}`;
export const clientPath = (clientId: string) => `/clients/${clientId}`;
export const newReferralPath = (clientId: string) => `/clients/${clientId}/referrals/new`;

type Names = ReadonlyMap<string, string>;

export const districtNames = (districts: District[]): Names => new Map(districts.map((d) => [d.code, d.name]));

/** What referral pages show about the client: the display code, nothing else. */
export const toClientHeading = (client: Client) => ({
  href: clientPath(client.id),
  displayCode: client.displayCode ?? '',
});

/** Step 1: the services, grouped by domain; the domains the client needs (and is eligible for) marked. */
export const serviceGroups = (clientId: string, neededDomains: ReadonlySet<string>) =>
  DOMAINS.map((domain) => ({
    domainKey: `codes.domain.${domain}`,
    needed: neededDomains.has(domain),
    services: SERVICE_TYPES[domain].map((type) => ({
      labelKey: `codes.serviceType.${type}`,
      href: `${newReferralPath(clientId)}?service=${type}`,
    })),
  }));

/** Step 2: the providers of the service, KP-friendly first, in the chosen district or all. */
export const providerOptions = (providers: ServiceProvider[], names: Names, chosen: unknown) =>
  providers.map((p) => ({
    value: p.id,
    name: p.name,
    districtName: p.districtCode ? (names.get(p.districtCode) ?? p.districtCode) : null,
    address: p.address,
    openingHours: p.openingHours,
    kpFriendly: p.kpFriendly,
    sample: p.sample,
    checked: chosen === p.id,
  }));

export const districtFilterOptions = (districts: District[]) =>
  districts.filter((d) => d.active).map((d) => ({ value: d.code, label: d.name }));

export const newReferralValues = (today: string, submissionKey: string) => ({
  referredOn: today,
  appointmentOn: '',
  providerId: '',
  note: '',
  submissionKey,
});

const statusKey = (status: ReferralStatus) => `codes.referralStatus.${status}`;

/** A row of a referral list (client page, follow-up): codes and dates only. */
export const toReferralRow = (row: ReferralListRow) => ({
  href: referralPath(row.id),
  clientHref: clientPath(row.clientId),
  displayCode: row.displayCode ?? '',
  domainKey: `codes.domain.${row.domain}`,
  serviceTypeKey: `codes.serviceType.${row.serviceType}`,
  providerName: row.providerName,
  referredOn: row.referredOn,
  appointmentOn: row.appointmentOn,
  status: row.status,
  statusKey: statusKey(row.status),
  statusOn: row.statusOn,
  completed: row.status === 'completed',
});

export const toFollowUpRow = (row: FollowUpRow) => ({
  ...toReferralRow(row),
  workerName: row.workerName ?? '',
  days: row.daysWithoutUpdate,
  overdue: followUpState(row.daysWithoutUpdate) === 'overdue',
});

export const FOLLOW_UP_DAYS = FOLLOW_UP_DUE_DAYS;

/** The referral page's details; the notes were opened by the service for a user who may read them. */
export const toReferralDetail = (referral: ReferralRecord, provider: ServiceProvider | null, names: Names) => ({
  id: referral.id,
  domainKey: `codes.domain.${referral.domain}`,
  serviceTypeKey: `codes.serviceType.${referral.serviceType}`,
  provider: provider ? toProviderCard(provider, names) : null,
  referredOn: referral.referredOn,
  appointmentOn: referral.appointmentOn,
  status: referral.status,
  statusKey: statusKey(referral.status),
  statusOn: referral.statusOn,
  completedOn: referral.completedOn,
  verificationKey: referral.verification ? `codes.verification.${referral.verification}` : null,
  imported: referral.source === 'import',
  note: referral.note,
  outcomeNote: referral.outcomeNote,
  version: referral.version,
});

export const toProviderCard = (provider: ServiceProvider, names: Names) => ({
  name: provider.name,
  districtName: provider.districtCode ? (names.get(provider.districtCode) ?? provider.districtCode) : null,
  address: provider.address,
  phone: provider.phone,
  openingHours: provider.openingHours,
  kpFriendly: provider.kpFriendly,
  sample: provider.sample,
});

export const toHistoryLine = (line: HistoryLine) => ({
  fromKey: line.fromStatus ? statusKey(line.fromStatus) : null,
  toKey: statusKey(line.toStatus),
  statusOn: line.statusOn,
  appointmentOn: line.appointmentOn,
  verificationKey: line.verification ? `codes.verification.${line.verification}` : null,
  who: line.actorKind === 'user' ? (line.actorName ?? '') : null,
  byProvider: line.actorKind === 'provider',
  byImport: line.actorKind === 'import',
  correction: line.correction,
  note: line.note,
  at: line.createdAt,
});

/** The statuses the change form offers: only the valid next steps. */
export const nextStatusOptions = (status: ReferralStatus) =>
  nextStatuses(status).map((s) => ({ value: s, labelKey: s === status ? 'referrals.reschedule' : statusKey(s) }));

/** The correction form offers every status. */
export const allStatusOptions = () => REFERRAL_STATUSES.map((s) => ({ value: s, labelKey: statusKey(s) }));

export const verificationOptions = () => VERIFICATIONS.map((v) => ({ value: v, labelKey: `codes.verification.${v}` }));

export const changeFormValues = (referral: Pick<ReferralRecord, 'version' | 'appointmentOn'>, today: string) => ({
  status: '',
  statusOn: today,
  appointmentOn: referral.appointmentOn ?? '',
  verification: '',
  note: '',
  version: String(referral.version),
});

export const referralActions = (actor: Actor, referral: Pick<ReferralRecord, 'id' | 'status' | 'source'>) => {
  const mayWrite = actor.permissions.has('referrals:write');
  return {
    canChange: mayWrite && nextStatuses(referral.status).length > 0,
    correctHref: mayWrite ? `${referralPath(referral.id)}/correct` : null,
    slipHref: referral.source === 'app' ? `${referralPath(referral.id)}/slip` : null,
  };
};
