import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { dayOf, EARLIEST_DAY } from '../web/days';
import { NoDirectIdentifiers } from '../privacy/free-text';
import {
  ALL_SERVICE_TYPES,
  Domain,
  domainOfServiceType,
  REFERRAL_STATUSES,
  ReferralStatus,
  VERIFICATIONS,
  Verification,
} from '../reference/codes';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import { UUID } from '../web/form-rules';
import type { NewReferralInput, StatusChangeInput } from './referrals.service';

export const NOTE_MAX = 1000;

/** An empty select or date sends '': the same as not sent. */
const emptyAsMissing = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Reads the date fields (YYYY-MM-DD or dd/mm/yyyy) and the range every referral date shares. */
function checkDays(source: Record<string, unknown>, fields: readonly string[], errors: FormErrors) {
  const days: Record<string, string | null> = {};
  for (const field of fields) {
    const raw = typeof source[field] === 'string' ? (source[field] as string).trim() : source[field];
    if (raw === undefined || raw === '') {
      days[field] = null;
      continue;
    }
    const day = dayOf(raw);
    if (!day) errors[field] ??= 'validation.date';
    else if (day < EARLIEST_DAY) errors[field] ??= 'referrals.errors.tooOld';
    else days[field] = day;
  }
  return days;
}

// ---------------------------------------------------------------------------------------------
// A new referral

export class NewReferralForm {
  @IsIn(ALL_SERVICE_TYPES, { message: 'referrals.errors.serviceType' })
  serviceType: string;

  /** Empty when the directory has no provider for the service (the form then says so). */
  @IsOptional()
  @Transform(emptyAsMissing)
  @Matches(UUID, { message: 'referrals.errors.provider' })
  providerId?: string;

  @IsString({ message: 'validation.required' })
  referredOn: string;

  @IsOptional()
  @IsString({ message: 'validation.date' })
  appointmentOn?: string;

  @NoDirectIdentifiers()
  @MaxLength(NOTE_MAX, { message: `validation.tooLong|max=${NOTE_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  note?: string;

  @IsUUID('all', { message: 'referrals.errors.submission' })
  @IsString({ message: 'referrals.errors.submission' })
  submissionKey: string;
}

/**
 * The new-referral form. `providerRequired`: the directory offers providers for the service, so one
 * must be chosen. The provider's offer and the date order are checked again by the service.
 */
export async function parseNewReferral(
  body: unknown,
  rules: { today: string; providerRequired: boolean },
): Promise<FormResult<{ input: NewReferralInput; submissionKey: string }>> {
  const parsed = await parseForm(NewReferralForm, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  const days = checkDays(fieldsOf(body), ['referredOn', 'appointmentOn'], errors);
  if (!errors.referredOn && !days.referredOn) errors.referredOn = 'validation.required';
  if (days.referredOn && days.referredOn > rules.today) errors.referredOn = 'referrals.errors.future';
  if (days.referredOn && days.appointmentOn && days.appointmentOn < days.referredOn) {
    errors.appointmentOn = 'referrals.errors.appointmentBeforeReferral';
  }
  if (parsed.ok && rules.providerRequired && !parsed.value.providerId) errors.providerId = 'referrals.errors.provider';
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const form = parsed.value;
  return {
    ok: true,
    value: {
      input: {
        domain: domainOfServiceType(form.serviceType) as Domain,
        serviceType: form.serviceType,
        providerId: form.providerId ?? null,
        referredOn: days.referredOn!,
        appointmentOn: days.appointmentOn ?? null,
        note: form.note ? form.note : null,
      },
      submissionKey: form.submissionKey,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A status change, or a correction

export class StatusChangeForm {
  @IsIn(REFERRAL_STATUSES, { message: 'referrals.errors.status' })
  status: ReferralStatus;

  @IsString({ message: 'validation.required' })
  statusOn: string;

  @IsOptional()
  @IsString({ message: 'validation.date' })
  appointmentOn?: string;

  @ValidateIf((form: StatusChangeForm) => form.status === 'completed')
  @IsIn(VERIFICATIONS, { message: 'referrals.errors.verification' })
  verification?: Verification;

  @NoDirectIdentifiers()
  @MaxLength(NOTE_MAX, { message: `validation.tooLong|max=${NOTE_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  note?: string;

  /** The version the form was opened on (optimistic locking). */
  @Matches(/^\d{1,9}$/, { message: 'referrals.errors.version' })
  @IsString({ message: 'referrals.errors.version' })
  version: string;
}

export interface ParsedChange {
  change: StatusChangeInput;
  version: number;
}

/**
 * A status change (or correction, `reasonRequired`). Field rules here; the transition itself and the
 * dates against the referral are the service's (ReferralChangeRefused).
 */
export async function parseStatusChange(
  body: unknown,
  rules: { today: string; reasonRequired: boolean },
): Promise<FormResult<ParsedChange>> {
  const parsed = await parseForm(StatusChangeForm, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  const days = checkDays(fieldsOf(body), ['statusOn', 'appointmentOn'], errors);
  if (!errors.statusOn && !days.statusOn) errors.statusOn = 'validation.required';
  if (days.statusOn && days.statusOn > rules.today) errors.statusOn = 'referrals.errors.future';
  const status = parsed.ok ? parsed.value.status : undefined;
  if (status === 'scheduled' && !errors.appointmentOn && !days.appointmentOn) {
    errors.appointmentOn = 'referrals.errors.appointmentRequired';
  }
  if (parsed.ok && rules.reasonRequired && !parsed.value.note) errors.note = 'referrals.errors.reasonRequired';
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  const form = parsed.value;
  return {
    ok: true,
    value: {
      version: Number(form.version),
      change: {
        status: form.status,
        statusOn: days.statusOn!,
        appointmentOn: form.status === 'scheduled' ? days.appointmentOn : null,
        verification: form.status === 'completed' ? (form.verification ?? null) : null,
        note: form.note ? form.note : null,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The pickers of the new-referral page (GET query), read leniently

export interface ServiceChoice {
  serviceType: string | null;
  /** '' = every district. */
  district: string | null;
}

export function parseServiceChoice(query: unknown, districtCodes: readonly string[]): ServiceChoice {
  const source = fieldsOf(query);
  const service =
    typeof source.service === 'string' && ALL_SERVICE_TYPES.includes(source.service) ? source.service : null;
  const rawDistrict = source.district;
  const district =
    rawDistrict === 'all'
      ? ''
      : typeof rawDistrict === 'string' && districtCodes.includes(rawDistrict)
        ? rawDistrict
        : null;
  return { serviceType: service, district };
}

// ---------------------------------------------------------------------------------------------
// The follow-up list: whose referrals

export const followUpScope = (query: unknown): 'mine' | 'all' => (fieldsOf(query).scope === 'all' ? 'all' : 'mine');
