import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { NoDirectIdentifiers } from '../privacy/free-text';
import { MODALITIES, Modality, Topic, TOPICS } from '../reference/codes';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import { asList, wholeNumber } from '../web/form-rules';
import { dayOf, EARLIEST_DAY } from '../web/days';
import type { ContactFilters } from './contacts.repository';
import type { ContactInput } from './contacts.service';

export const NOTE_MAX = 1000;
export const QUANTITY_MAX = 1000;

export const QUANTITY_FIELDS = ['condoms', 'lubricants', 'hivSelfTests'] as const;

/** The fields of the quick contact form (new and edit). Codes are checked against the lists here;
 *  the date range and the district (which depends on the geography) by `parseContactForm`. */
export class ContactForm {
  @IsString({ message: 'validation.required' })
  contactDate: string;

  @IsIn(MODALITIES, { message: 'contacts.errors.modality' })
  modality: Modality;

  @IsString({ message: 'contacts.errors.district' })
  districtCode: string;

  /** No box ticked sends no field at all, hence the default. */
  @Transform(({ value }) => asList(value))
  @IsArray({ message: 'contacts.errors.topics' })
  @ArrayMaxSize(TOPICS.length, { message: 'contacts.errors.topics' })
  @IsIn(TOPICS, { each: true, message: 'contacts.errors.topics' })
  topics: Topic[] = [];

  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  condoms?: string;

  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  lubricants?: string;

  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  hivSelfTests?: string;

  // class-validator checks the bottom decorator first.
  @NoDirectIdentifiers()
  @MaxLength(NOTE_MAX, { message: `validation.tooLong|max=${NOTE_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  note?: string;
}

export class NewContactForm extends ContactForm {
  @IsUUID('all', { message: 'contacts.errors.submission' })
  @IsString({ message: 'contacts.errors.submission' })
  submissionKey: string;
}

/** The message of a field whose value must come from a list. */
const LIST_MESSAGES: Record<string, string> = {
  modality: 'contacts.errors.modality',
  districtCode: 'contacts.errors.district',
  topics: 'contacts.errors.topics',
  submissionKey: 'contacts.errors.submission',
};

export interface ContactFormRules {
  /** Today in Hanoi (YYYY-MM-DD): the latest day a contact may have. */
  today: string;
  /** District codes the form offers. */
  districtCodes: readonly string[];
  /** The modalities this actor may record, when not all of them (a peer coordinator: `peer`). */
  modalities?: readonly Modality[];
}

/** The rules class-validator cannot see: the date range, the district list and the quantity range. */
function ruleErrors(form: Partial<ContactForm>, rules: ContactFormRules, errors: FormErrors): Partial<ContactInput> {
  const out: Partial<ContactInput> = {};
  if (!errors.contactDate) {
    const day = dayOf(form.contactDate);
    if (form.contactDate === undefined || form.contactDate === '') errors.contactDate = 'validation.required';
    else if (!day) errors.contactDate = 'validation.date';
    else if (day > rules.today) errors.contactDate = 'contacts.errors.future';
    else if (day < EARLIEST_DAY) errors.contactDate = 'contacts.errors.tooOld';
    else out.contactDate = day;
  }
  if (!errors.districtCode && !rules.districtCodes.includes(form.districtCode ?? '')) {
    errors.districtCode = 'contacts.errors.district';
  }
  if (!errors.modality && rules.modalities && !rules.modalities.includes(form.modality as Modality)) {
    errors.modality = 'contacts.errors.modality';
  }
  for (const field of QUANTITY_FIELDS) {
    if (errors[field]) continue;
    const n = wholeNumber(form[field], 0, QUANTITY_MAX, 0); // an emptied box: nothing handed out
    if (n === null) errors[field] = `contacts.errors.quantity|max=${QUANTITY_MAX}`;
    else out[field] = n;
  }
  return out;
}

function toInput(form: ContactForm, checked: Partial<ContactInput>): ContactInput {
  return {
    contactDate: checked.contactDate!,
    modality: form.modality,
    districtCode: form.districtCode,
    topics: form.topics,
    condoms: checked.condoms!,
    lubricants: checked.lubricants!,
    hivSelfTests: checked.hivSelfTests!,
    note: form.note ? form.note : null,
  };
}

async function parseWith<T extends ContactForm>(
  formClass: new () => T,
  body: unknown,
  rules: ContactFormRules,
): Promise<FormResult<{ input: ContactInput; form: T }>> {
  const parsed = await parseForm(formClass, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  // parseForm keeps only `validation.*` messages: put back the ones of this form's lists.
  for (const [field, key] of Object.entries(LIST_MESSAGES)) if (errors[field]) errors[field] = key;
  // Re-read the raw fields to check the rules even when class-validator already refused another field.
  const source = fieldsOf(body);
  const trimmed = (k: string) => (typeof source[k] === 'string' ? (source[k] as string).trim() : source[k]);
  const raw = {
    contactDate: trimmed('contactDate'),
    districtCode: trimmed('districtCode'),
    modality: trimmed('modality'),
    condoms: trimmed('condoms'),
    lubricants: trimmed('lubricants'),
    hivSelfTests: trimmed('hivSelfTests'),
  } as Partial<ContactForm>;
  const checked = ruleErrors(raw, rules, errors);
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { input: toInput(parsed.value, checked), form: parsed.value } };
}

/** The new-contact form: the contact and the form's submission key (a double submit records once). */
export async function parseNewContact(
  body: unknown,
  rules: ContactFormRules,
): Promise<FormResult<{ input: ContactInput; submissionKey: string }>> {
  const result = await parseWith(NewContactForm, body, rules);
  if (!result.ok) return result;
  return { ok: true, value: { input: result.value.input, submissionKey: result.value.form.submissionKey } };
}

export async function parseContactChanges(body: unknown, rules: ContactFormRules): Promise<FormResult<ContactInput>> {
  const result = await parseWith(ContactForm, body, rules);
  return result.ok ? { ok: true, value: result.value.input } : result;
}

// ---------------------------------------------------------------------------------------------
// The filters of the organization's list (GET /contacts)

const FILTER_FIELDS = ['from', 'to', 'district', 'modality', 'worker'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];

export interface ContactListFilters {
  /** Only the valid filters: what the search applies. */
  criteria: ContactFilters;
  /** What the form shows again (the submitted text; dates as YYYY-MM-DD for the date inputs). */
  values: Partial<Record<FilterField, string>>;
  /** Field → message key, shown next to the filter; that filter is not applied. */
  errors: FormErrors;
  /** The valid filters, kept by the pager's links. */
  query: Partial<Record<FilterField, string>>;
}

export interface FilterRules {
  districtCodes: readonly string[];
  workerIds: readonly string[];
}

/**
 * Reads the filters leniently: a bad value gets a message next to its filter and is left out of the
 * search while the others still apply, so a mistyped filter never costs the page (no 400, no 500).
 */
export function parseContactFilters(query: unknown, rules: FilterRules): ContactListFilters {
  const source = fieldsOf(query);
  const values: ContactListFilters['values'] = {};
  const errors: FormErrors = {};
  const submitted: Partial<Record<FilterField, string>> = {};
  for (const field of FILTER_FIELDS) {
    const raw = source[field];
    if (raw === undefined || raw === '') continue;
    if (typeof raw !== 'string') {
      errors[field] = 'contacts.errors.filter';
      continue;
    }
    const text = raw.trim();
    values[field] = text.slice(0, 100);
    if (text !== '') submitted[field] = text;
  }

  const criteria: ContactFilters = {};
  const kept: ContactListFilters['query'] = {};
  for (const field of ['from', 'to'] as const) {
    if (submitted[field] === undefined) continue;
    const day = dayOf(submitted[field]);
    if (!day || day < EARLIEST_DAY) errors[field] = 'validation.date';
    else criteria[field] = values[field] = kept[field] = day;
  }
  if (criteria.from && criteria.to && criteria.to < criteria.from) {
    errors.to = 'contacts.errors.dateOrder';
    delete criteria.to;
    delete kept.to;
  }
  if (submitted.district !== undefined) {
    if (rules.districtCodes.includes(submitted.district)) criteria.districtCode = kept.district = submitted.district;
    else errors.district = 'contacts.errors.district';
  }
  if (submitted.modality !== undefined) {
    const modality = submitted.modality;
    if ((MODALITIES as readonly string[]).includes(modality)) {
      criteria.modality = modality as Modality;
      kept.modality = modality;
    } else errors.modality = 'contacts.errors.modality';
  }
  if (submitted.worker !== undefined) {
    if (rules.workerIds.includes(submitted.worker)) criteria.workerId = kept.worker = submitted.worker;
    else errors.worker = 'contacts.errors.worker';
  }
  return { criteria, values, errors, query: kept };
}
