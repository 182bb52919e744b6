import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { composeUic, normalizeDisplayCode, UIC_PART_NAMES, UicParts } from '../privacy/client-code';
import { NoDirectIdentifiers } from '../privacy/free-text';
import { GENDERS, Gender, MODALITIES, Modality, WORK_SETTINGS, WorkSetting } from '../reference/codes';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import { CHECKED, UUID } from '../web/form-rules';
import {
  MERGE_REASONS,
  MergeReason,
  type AnonymousTally,
  type ClientDetails,
  type Registration,
} from './clients.service';
import { dayOf, EARLIEST_DAY } from '../web/days';

export const BIRTH_YEAR_MIN = 1940;
/** Nobody younger than this is registered; later years are typos. */
export const MIN_AGE_YEARS = 10;
export const ALIAS_MAX = 60;
export const TALLY_COUNT_MAX = 50;
/** First contacts and tallies before this day are not outreach of this program (and most likely a typo). */
/** A name part may be typed whole ("Nguyễn Thị Lan" is cut to its first letters); anything longer is not a name. */
const NAME_PART_MAX = 40;

/** The steps of the two-step registration: back to the form, show the code for confirmation, register. */
export const REGISTRATION_STEPS = ['edit', 'review', 'confirm'] as const;
export type RegistrationStep = (typeof REGISTRATION_STEPS)[number];
export const MERGE_STEPS = ['review', 'confirm'] as const;

/** Everything a registration form carries, in the order the review page repeats it as hidden fields. */
export const REGISTRATION_FIELDS = [
  ...UIC_PART_NAMES,
  'gender',
  'primaryDistrict',
  'workSetting',
  'firstContactDate',
  'alias',
  'consent',
  'confirmKnownElsewhere',
  'submissionKey',
  'noticeVersion',
] as const;

/** What the form needs to know about the world: today (Hanoi calendar) and the districts one may choose. */
export interface FormContext {
  today: string;
  districtCodes: readonly string[];
}

const upperCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toUpperCase() : value);

/** The five parts of the client code, as the client says them (see MISSION §3 and privacy/client-code.ts). */
export class UicPartsForm {
  @MaxLength(NAME_PART_MAX, { message: `validation.tooLong|max=${NAME_PART_MAX}` })
  @IsNotEmpty({ message: 'clients.errors.mother' })
  @IsString({ message: 'clients.errors.mother' })
  mother: string;

  /** Empty when the father is unknown: the code then carries XX. */
  @MaxLength(NAME_PART_MAX, { message: `validation.tooLong|max=${NAME_PART_MAX}` })
  @IsString({ message: 'clients.errors.father' })
  @IsOptional()
  father?: string;

  @Transform(upperCase)
  @IsIn(['F', 'M'], { message: 'clients.errors.sex' })
  sex: 'F' | 'M';

  @Matches(/^\d{4}$/, { message: 'clients.errors.birthYear' })
  @IsString({ message: 'clients.errors.birthYear' })
  birthYear: string;

  @MaxLength(NAME_PART_MAX, { message: `validation.tooLong|max=${NAME_PART_MAX}` })
  @IsNotEmpty({ message: 'clients.errors.own' })
  @IsString({ message: 'clients.errors.own' })
  own: string;
}

/** The details of a client that may change (the code does not; the birth year is part of it). */
export class ClientDetailsForm {
  @IsIn(GENDERS, { message: 'clients.errors.gender' })
  gender: Gender;

  /** Checked against the districts on offer by the parse functions below. */
  @IsString({ message: 'clients.errors.district' })
  primaryDistrict: string;

  @IsIn(WORK_SETTINGS, { message: 'clients.errors.workSetting' })
  workSetting: WorkSetting;

  @IsString({ message: 'validation.date' })
  firstContactDate: string;

  // class-validator checks the bottom decorator first.
  @NoDirectIdentifiers()
  @MaxLength(ALIAS_MAX, { message: `validation.tooLong|max=${ALIAS_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  alias?: string;
}

class RegistrationExtrasForm {
  /** The worker ticks it once the client heard the notice and agreed. */
  @IsIn([CHECKED], { message: 'clients.errors.consent' })
  consent: string;

  @IsIn([CHECKED], { message: 'validation.invalid' })
  @IsOptional()
  confirmKnownElsewhere?: string;

  @Matches(UUID, { message: 'validation.invalid' })
  @IsString({ message: 'validation.invalid' })
  submissionKey: string;
}

export class TallyForm {
  @IsString({ message: 'validation.date' })
  contactDate: string;

  @IsString({ message: 'clients.errors.district' })
  districtCode: string;

  @IsIn(MODALITIES, { message: 'clients.errors.modality' })
  modality: Modality;

  @IsString({ message: `clients.errors.count|min=1|max=${TALLY_COUNT_MAX}` })
  count: string;

  @Matches(UUID, { message: 'validation.invalid' })
  @IsString({ message: 'validation.invalid' })
  submissionKey: string;
}

export class MergeForm {
  @IsString({ message: 'clients.errors.displayCode' })
  duplicateCode: string;

  @IsIn(MERGE_REASONS, { message: 'clients.errors.mergeReason' })
  reason: MergeReason;
}

/** The latest birth year accepted today: the client is at least MIN_AGE_YEARS old. */
export const latestBirthYear = (today: string) => Number(today.slice(0, 4)) - MIN_AGE_YEARS;

/** A display code as typed in the search box ("k7f 2q9", "K7F2Q9") → "K7F-2Q9"; null when it cannot be one. */
export const parseDisplayCode = (typed: unknown): string | null =>
  typeof typed === 'string' ? normalizeDisplayCode(typed) : null;

/** A step name from a posted form, or null (never trusted further than the list). */
export const stepOf = <T extends string>(body: unknown, steps: readonly T[]): T | null => {
  const step = fieldsOf(body).step;
  return steps.find((s) => s === step) ?? null;
};

const textOf = (body: unknown, name: string): string => {
  const value = fieldsOf(body)[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** A date in [EARLIEST_DAY, today], or the message key that says what is wrong. */
function checkDay(text: unknown, today: string): { day: string } | { error: string } {
  const day = dayOf(text);
  if (!day) return { error: 'validation.date' };
  if (day > today) return { error: 'clients.errors.futureDate' };
  if (day < EARLIEST_DAY) return { error: 'clients.errors.tooEarly' };
  return { day };
}

/**
 * The rules class-validator cannot word alone: each name part must start with letters (the recipe
 * takes the first ones), the birth year within a sensible range. Returns one message per bad part.
 */
function uicPartErrors(body: unknown, today: string, found: FormErrors): FormErrors {
  const errors: FormErrors = {};
  const composed = composeUic({
    mother: textOf(body, 'mother'),
    father: textOf(body, 'father'),
    sex: textOf(body, 'sex'),
    birthYear: textOf(body, 'birthYear'),
    own: textOf(body, 'own'),
  });
  if (!composed.ok) {
    for (const part of composed.invalid) if (!found[part]) errors[part] = `clients.errors.${part}`;
  }
  const year = textOf(body, 'birthYear');
  const latest = latestBirthYear(today);
  if (!found.birthYear && /^\d{4}$/.test(year) && (Number(year) < BIRTH_YEAR_MIN || Number(year) > latest)) {
    errors.birthYear = `clients.errors.birthYearRange|min=${BIRTH_YEAR_MIN}|max=${latest}`;
  }
  return errors;
}

function detailErrors(body: unknown, context: FormContext, found: FormErrors): FormErrors {
  const errors: FormErrors = {};
  if (!found.primaryDistrict && !context.districtCodes.includes(textOf(body, 'primaryDistrict'))) {
    errors.primaryDistrict = 'clients.errors.district';
  }
  if (!found.firstContactDate) {
    const checked = checkDay(fieldsOf(body).firstContactDate, context.today);
    if ('error' in checked) errors.firstContactDate = checked.error;
  }
  return errors;
}

const detailsOf = (form: ClientDetailsForm, birthYear: number): ClientDetails => ({
  gender: form.gender,
  birthYear,
  primaryDistrict: form.primaryDistrict,
  workSetting: form.workSetting,
  firstContactDate: dayOf(form.firstContactDate)!,
  alias: form.alias ? form.alias : null,
});

const errorsOf = (result: FormResult<unknown>): FormErrors => (result.ok ? {} : result.errors);

export interface UicLookup {
  parts: UicParts;
}

/** The five parts typed on the "find by code parts" form. */
export async function parseUicLookup(body: unknown, today: string): Promise<FormResult<UicLookup>> {
  const form = await parseForm(UicPartsForm, body);
  const found = form.ok ? {} : form.errors;
  const errors = { ...uicPartErrors(body, today, found), ...found };
  if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const { mother, father, sex, birthYear, own } = form.value;
  return { ok: true, value: { parts: { mother, father: father ?? '', sex, birthYear, own } } };
}

export interface RegistrationRequest {
  registration: Registration;
  /** The normalized code, shown to the worker for confirmation and never kept. */
  composedCode: string;
}

/** The whole registration form (both steps): code parts, details, consent, submission key. */
export async function parseRegistration(body: unknown, context: FormContext): Promise<FormResult<RegistrationRequest>> {
  const [parts, details, extras] = await Promise.all([
    parseForm(UicPartsForm, body),
    parseForm(ClientDetailsForm, body),
    parseForm(RegistrationExtrasForm, body),
  ]);
  const found = { ...errorsOf(parts), ...errorsOf(details), ...errorsOf(extras) };
  const errors = { ...uicPartErrors(body, context.today, found), ...detailErrors(body, context, found), ...found };
  if (!parts.ok || !details.ok || !extras.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const { mother, father, sex, birthYear, own } = parts.value;
  const composed = composeUic({ mother, father, sex, birthYear, own });
  if (!composed.ok)
    return { ok: false, errors: Object.fromEntries(composed.invalid.map((p) => [p, `clients.errors.${p}`])) };
  return {
    ok: true,
    value: {
      composedCode: composed.code,
      registration: {
        ...detailsOf(details.value, Number(birthYear)),
        uic: { mother, father: father ?? '', sex, own },
        consentDate: context.today,
        confirmKnownElsewhere: extras.value.confirmKnownElsewhere === CHECKED,
        submissionKey: extras.value.submissionKey.toLowerCase(),
      },
    },
  };
}

/** The edit form: the details only; the birth year stays, being part of the client code. */
export async function parseClientEdit(
  body: unknown,
  context: FormContext,
  birthYear: number,
): Promise<FormResult<ClientDetails>> {
  const form = await parseForm(ClientDetailsForm, body);
  const found = form.ok ? {} : form.errors;
  const errors = { ...detailErrors(body, context, found), ...found };
  if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: detailsOf(form.value, birthYear) };
}

/** An anonymous tally: contacts with people who did not agree to be registered. */
export async function parseTally(body: unknown, context: FormContext): Promise<FormResult<AnonymousTally>> {
  const form = await parseForm(TallyForm, body);
  const found = form.ok ? {} : form.errors;
  const errors: FormErrors = {};
  if (!found.contactDate) {
    const checked = checkDay(fieldsOf(body).contactDate, context.today);
    if ('error' in checked) errors.contactDate = checked.error;
  }
  if (!found.districtCode && !context.districtCodes.includes(textOf(body, 'districtCode'))) {
    errors.districtCode = 'clients.errors.district';
  }
  const count = textOf(body, 'count');
  if (!found.count && !(/^\d{1,2}$/.test(count) && Number(count) >= 1 && Number(count) <= TALLY_COUNT_MAX)) {
    errors.count = `clients.errors.count|min=1|max=${TALLY_COUNT_MAX}`;
  }
  const all = { ...errors, ...found };
  if (!form.ok || Object.keys(all).length > 0) return { ok: false, errors: all };
  return {
    ok: true,
    value: {
      contactDate: dayOf(form.value.contactDate)!,
      districtCode: form.value.districtCode,
      modality: form.value.modality,
      count: Number(form.value.count),
      submissionKey: form.value.submissionKey.toLowerCase(),
    },
  };
}

export interface MergeRequest {
  duplicateCode: string;
  reason: MergeReason;
}

/** The merge form: the duplicate's display code (any spacing or case) and a reason from the closed list. */
export async function parseMerge(body: unknown): Promise<FormResult<MergeRequest>> {
  const form = await parseForm(MergeForm, body);
  const found = form.ok ? {} : form.errors;
  const duplicateCode = parseDisplayCode(textOf(body, 'duplicateCode'));
  const errors = {
    ...(duplicateCode || found.duplicateCode ? {} : { duplicateCode: 'clients.errors.displayCode' }),
    ...found,
  };
  if (!form.ok || !duplicateCode || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { duplicateCode, reason: form.value.reason } };
}
