import type { Client } from '../clients/client.entity';
import type { District } from '../geography/district.entity';
import { MODALITIES, TOPICS } from '../reference/codes';
import { asList } from '../web/form-rules';
import type { ContactListRow } from './contacts.repository';
import type { ContactRecord } from './contacts.service';

import type { Actor } from '../auth/actor';
import type { Modality } from '../reference/codes';

export const clientPath = (clientId: string) => `/clients/${clientId}`;

/** Where a contact form leads back to: the client page, or the member page for an actor who may not open
 *  client records (a peer coordinator sees members through their groups). */
export const clientHomePath = (actor: Actor, clientId: string) =>
  actor.permissions.has('clients:read') ? clientPath(clientId) : `/groups/members/${clientId}`;

/** A peer coordinator records peer outreach contacts only (MISSION §1); other roles any modality. */
export const modalitiesFor = (actor: Actor): readonly Modality[] =>
  actor.role === 'peer_coordinator' ? ['peer'] : MODALITIES;
export const contactPath = (id: string) => `/contacts/${id}`;
export const newContactPath = (clientId: string) => `/clients/${clientId}/contacts/new`;

/** What the contact pages show about the client: the display code, nothing else. */
export const toClientHeading = (client: Client, href = clientPath(client.id)) => ({
  href,
  displayCode: client.displayCode ?? '',
  newContactAction: `/clients/${client.id}/contacts`,
});

export type DistrictNames = ReadonlyMap<string, string>;

export const districtNames = (districts: District[]): DistrictNames => new Map(districts.map((d) => [d.code, d.name]));

/** A row of the contact lists: the client's display code links to the client page; never a note. */
export const toContactRow = (row: ContactListRow, names: DistrictNames, editable: boolean) => ({
  editHref: editable ? `${contactPath(row.id)}/edit` : null,
  clientHref: clientPath(row.clientId),
  displayCode: row.displayCode ?? '',
  contactDate: row.contactDate,
  modalityKey: `codes.modality.${row.modality}`,
  districtName: names.get(row.districtCode) ?? row.districtCode,
  workerName: row.workerName ?? '',
  topicKeys: (row.topics ?? []).map((topic) => `codes.topic.${topic}`),
  condoms: row.condoms,
  lubricants: row.lubricants,
  hivSelfTests: row.hivSelfTests,
});

/** The values of a fresh form: today, in the street, in the client's district, nothing handed out yet. */
export const newContactValues = (
  client: Client,
  today: string,
  submissionKey: string,
  modality: Modality = 'street',
) => ({
  contactDate: today,
  modality,
  districtCode: client.primaryDistrict,
  topics: [] as string[],
  condoms: '0',
  lubricants: '0',
  hivSelfTests: '0',
  note: '',
  submissionKey,
});

export const toContactFormValues = (contact: ContactRecord) => ({
  contactDate: contact.contactDate,
  modality: contact.modality,
  districtCode: contact.districtCode,
  topics: [...contact.topics] as string[],
  condoms: String(contact.condoms),
  lubricants: String(contact.lubricants),
  hivSelfTests: String(contact.hivSelfTests),
  note: contact.note ?? '',
});

/** A form posted back with errors shows what was typed; the topics always as a list. */
export const submittedValues = (values: Record<string, unknown>): Record<string, unknown> & { topics: string[] } => ({
  ...values,
  topics: asList(values.topics),
});

export const modalityOptions = (modalities: readonly Modality[] = MODALITIES) =>
  modalities.map((m) => ({ value: m, labelKey: `codes.modality.${m}` }));

export const topicOptions = (checked: unknown) => {
  const ticked = asList(checked);
  return TOPICS.map((topic) => ({ value: topic, labelKey: `codes.topic.${topic}`, checked: ticked.includes(topic) }));
};

export const districtOptions = (districts: District[]) => districts.map((d) => ({ value: d.code, label: d.name }));

export const workerOptions = (workers: Array<{ id: string; username: string }>) =>
  workers.map((w) => ({ value: w.id, label: w.username }));
