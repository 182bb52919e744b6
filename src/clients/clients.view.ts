import type { DomainAnswer } from '../assessments/assessments.repository';
import type { Actor } from '../auth/actor';
import type { ContactRecord } from '../contacts/contacts.service';
import type { District } from '../geography/district.entity';
import { DOMAINS, GENDERS, MODALITIES, WORK_SETTINGS, type ViolenceAnswer } from '../reference/codes';
import type { Client } from './client.entity';
import { MERGE_REASONS } from './clients.service';
import { REGISTRATION_FIELDS } from './clients.forms';

export const clientPath = (id: string) => `/clients/${id}`;

/** District code → name, for rows that carry only the code. */
export type DistrictNames = ReadonlyMap<string, string>;
export const districtNames = (districts: District[]): DistrictNames => new Map(districts.map((d) => [d.code, d.name]));
const nameOf = (names: DistrictNames, code: string) => names.get(code) ?? code;

/** "LABIF92O" → "LA BI F 92 O": the five parts apart, so the worker can read them back to the client. */
export const spacedUic = (code: string) =>
  [code.slice(0, 2), code.slice(2, 4), code.slice(4, 5), code.slice(5, 7), code.slice(7)].join(' ');

export const toClientRow = (client: Client, names: DistrictNames) => ({
  href: clientPath(client.id),
  displayCode: client.displayCode,
  genderKey: `codes.gender.${client.gender}`,
  birthYear: client.birthYear,
  districtName: nameOf(names, client.primaryDistrict),
  updatedAt: client.updatedAt,
});

/** What the client page shows: codes and facts, the alias opened by the service, and no hash. */
export const toClientDetail = (client: Client, alias: string | null, names: DistrictNames) => ({
  id: client.id,
  href: clientPath(client.id),
  displayCode: client.displayCode,
  genderKey: `codes.gender.${client.gender}`,
  birthYear: client.birthYear,
  districtName: nameOf(names, client.primaryDistrict),
  workSettingKey: `codes.workSetting.${client.workSetting}`,
  firstContactDate: client.firstContactDate,
  consentDate: client.consentDate,
  consentNoticeVersion: client.consentNoticeVersion,
  alias,
});

/** The short summary on the merge pages: enough to recognise a record, nothing more. */
export const toClientSummary = (client: Client, names: DistrictNames) => ({
  href: clientPath(client.id),
  displayCode: client.displayCode,
  genderKey: `codes.gender.${client.gender}`,
  birthYear: client.birthYear,
  districtName: nameOf(names, client.primaryDistrict),
  firstContactDate: client.firstContactDate,
});

/** Which links the client page offers: each needs its permission. */
export const clientActions = (actor: Actor, client: Client) => ({
  recordContactHref: actor.permissions.has('contacts:write') ? `${clientPath(client.id)}/contacts/new` : null,
  newAssessmentHref: actor.permissions.has('assessments:write') ? `${clientPath(client.id)}/assessments/new` : null,
  newReferralHref: actor.permissions.has('referrals:write') ? `${clientPath(client.id)}/referrals/new` : null,
  editHref: actor.permissions.has('clients:write') ? `${clientPath(client.id)}/edit` : null,
  mergeHref: actor.permissions.has('clients:merge') ? `${clientPath(client.id)}/merge` : null,
  eraseHref: actor.permissions.has('privacy:erase') ? `${clientPath(client.id)}/erase` : null,
});

/** One line per domain, assessed or not, in the fixed domain order. */
export const toNeedRows = (answers: DomainAnswer[]) =>
  DOMAINS.map((domain) => {
    const answer = answers.find((a) => a.domain === domain);
    return {
      domainKey: `codes.domain.${domain}`,
      needKey: answer ? `codes.answer.${answer.need}` : null,
      eligibleKey: answer ? `codes.answer.${answer.eligible}` : null,
      needed: answer?.need === 'yes' && answer.eligible === 'yes',
      assessedOn: answer?.assessedOn ?? null,
    };
  });

export const toViolenceView = (answer: { violence: ViolenceAnswer; assessedOn: string } | null) =>
  answer ? { answerKey: `codes.violence.${answer.violence}`, assessedOn: answer.assessedOn } : null;

/** A contact on the client's timeline, its note already opened by the service. */
export const toTimelineRow = (contact: ContactRecord, names: DistrictNames, editable: boolean) => ({
  contactDate: contact.contactDate,
  modalityKey: `codes.modality.${contact.modality}`,
  districtName: nameOf(names, contact.districtCode),
  topicKeys: contact.topics.map((topic) => `codes.topic.${topic}`),
  commodities: (['condoms', 'lubricants', 'hivSelfTests'] as const)
    .filter((kind) => contact[kind] > 0)
    .map((kind) => ({ labelKey: `codes.commodity.${kind}`, count: contact[kind] })),
  note: contact.note,
  editHref: editable ? `/contacts/${contact.id}/edit` : null,
});

export const genderOptions = () => GENDERS.map((code) => ({ value: code, labelKey: `codes.gender.${code}` }));
export const workSettingOptions = () =>
  WORK_SETTINGS.map((code) => ({ value: code, labelKey: `codes.workSetting.${code}` }));
export const modalityOptions = () => MODALITIES.map((code) => ({ value: code, labelKey: `codes.modality.${code}` }));
export const districtOptions = (districts: District[]) => districts.map((d) => ({ value: d.code, label: d.name }));
export const mergeReasonOptions = () =>
  MERGE_REASONS.map((reason) => ({ value: reason, labelKey: `clients.mergeReasons.${reason}` }));
export const sexOptions = () => [
  { value: 'F', labelKey: 'clients.sexF' },
  { value: 'M', labelKey: 'clients.sexM' },
];

type FormValues = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * The registration values carried from one step to the next as hidden fields of a POST form (never
 * in a URL or the session). Only the known fields, only strings.
 */
export const hiddenRegistrationFields = (values: FormValues, overrides: FormValues = {}) =>
  REGISTRATION_FIELDS.map((name) => ({ name, value: text(overrides[name] ?? values[name]) })).filter(
    (field) => field.value !== '',
  );

/** The review step's summary of what will be recorded. */
export const toRegistrationReview = (values: FormValues, composedCode: string, names: DistrictNames) => ({
  code: spacedUic(composedCode),
  genderKey: `codes.gender.${text(values.gender)}`,
  birthYear: text(values.birthYear),
  districtName: nameOf(names, text(values.primaryDistrict)),
  workSettingKey: `codes.workSetting.${text(values.workSetting)}`,
  firstContactDate: text(values.firstContactDate),
  alias: text(values.alias),
});

/** The edit form filled with the stored values (the same shape as a submitted form). */
export const toClientFormValues = (client: Client, alias: string | null) => ({
  gender: client.gender,
  primaryDistrict: client.primaryDistrict,
  workSetting: client.workSetting,
  firstContactDate: client.firstContactDate,
  alias: alias ?? '',
});
