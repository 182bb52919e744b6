import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { normalizeDisplayCode } from '../privacy/client-code';
import { NoDirectIdentifiers } from '../privacy/free-text';
import { dayOf, EARLIEST_DAY } from '../web/days';
import { FormErrors, FormResult, fieldsOf, parseForm } from '../web/form';
import {
  ALL_OUTCOME_REASONS,
  type ClosedStatus,
  OUTCOME_REASONS,
  type OutcomeReason,
  PRIVACY_REQUEST_TYPES,
  type PrivacyRequestType,
} from './privacy-request.entity';
import type { CloseInput, NewRequestInput } from './privacy-requests.service';
import { LIFT_REASONS, type LiftReason, RESTRICT_REASONS, type RestrictReason } from './restriction';

export const NOTE_MAX = 1000;
const CLOSED_STATUSES: readonly ClosedStatus[] = ['done', 'refused'];

/** An empty select sends '': the same as nothing chosen. */
const emptyAsMissing = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

// ---------------------------------------------------------------------------------------------
// Logging a request

export class NewRequestForm {
  @IsIn(PRIVACY_REQUEST_TYPES, { message: 'privacyRequests.errors.type' })
  @Transform(emptyAsMissing)
  type: PrivacyRequestType;

  @IsString({ message: 'validation.required' })
  receivedOn: string;

  @NoDirectIdentifiers()
  @MaxLength(NOTE_MAX, { message: `validation.tooLong|max=${NOTE_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  note?: string;

  @IsUUID('all', { message: 'privacyRequests.errors.submission' })
  @IsString({ message: 'privacyRequests.errors.submission' })
  submissionKey: string;
}

/** The received day: a real day, not in the future (Hanoi calendar), not before 2000. */
function receivedDay(raw: unknown, today: string, errors: FormErrors): string | null {
  if (errors.receivedOn) return null;
  const day = dayOf(raw);
  if (!day) errors.receivedOn = typeof raw === 'string' && raw.trim() !== '' ? 'validation.date' : 'validation.required';
  else if (day < EARLIEST_DAY) errors.receivedOn = 'privacyRequests.errors.tooOld';
  else if (day > today) errors.receivedOn = 'privacyRequests.errors.future';
  else return day;
  return null;
}

export async function parseNewRequest(
  body: unknown,
  rules: { today: string },
): Promise<FormResult<{ input: NewRequestInput; submissionKey: string }>> {
  const parsed = await parseForm(NewRequestForm, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  const receivedOn = receivedDay(fieldsOf(body).receivedOn, rules.today, errors);
  if (!parsed.ok || !receivedOn || Object.keys(errors).length > 0) return { ok: false, errors };
  const form = parsed.value;
  return {
    ok: true,
    value: {
      input: { type: form.type, receivedOn, note: form.note ? form.note : null },
      submissionKey: form.submissionKey,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Closing a request

export class CloseRequestForm {
  @IsIn(CLOSED_STATUSES, { message: 'privacyRequests.errors.outcome' })
  @Transform(emptyAsMissing)
  status: ClosedStatus;

  @IsIn(ALL_OUTCOME_REASONS, { message: 'privacyRequests.errors.reasonRequired' })
  @Transform(emptyAsMissing)
  reason: OutcomeReason;

  @NoDirectIdentifiers()
  @MaxLength(NOTE_MAX, { message: `validation.tooLong|max=${NOTE_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  note?: string;

  @Matches(/^\d{1,9}$/, { message: 'privacyRequests.errors.version' })
  @IsString({ message: 'privacyRequests.errors.version' })
  version: string;
}

/** Outcome, a reason that belongs to it, an optional note, and the version the form was opened on. */
export async function parseClose(body: unknown): Promise<FormResult<{ input: CloseInput; version: number }>> {
  const parsed = await parseForm(CloseRequestForm, body);
  if (!parsed.ok) return parsed;
  const form = parsed.value;
  if (!(OUTCOME_REASONS[form.status] as readonly string[]).includes(form.reason)) {
    return { ok: false, errors: { reason: 'privacyRequests.errors.reason' } };
  }
  return {
    ok: true,
    value: {
      input: { status: form.status, reason: form.reason, note: form.note ? form.note : null },
      version: Number(form.version),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Finding the client of a new request by display code

/** The client's display code as typed ("k7f 2q9", "K7F2Q9"…); a clear message when it cannot be one. */
export function parseFindClient(body: unknown): FormResult<{ displayCode: string }> {
  const typed = fieldsOf(body).displayCode;
  if (typeof typed !== 'string' || typed.trim() === '') return { ok: false, errors: { displayCode: 'validation.required' } };
  const displayCode = normalizeDisplayCode(typed.slice(0, 40));
  if (!displayCode) return { ok: false, errors: { displayCode: 'privacyRequests.errors.displayCode' } };
  return { ok: true, value: { displayCode } };
}

// ---------------------------------------------------------------------------------------------
// Restricting processing, and lifting it

export class RestrictForm {
  @IsIn(RESTRICT_REASONS, { message: 'restriction.errors.reason' })
  @Transform(emptyAsMissing)
  reason: RestrictReason;
}

export class LiftForm {
  @IsIn(LIFT_REASONS, { message: 'restriction.errors.reason' })
  @Transform(emptyAsMissing)
  reason: LiftReason;
}

export const parseRestrict = (body: unknown) => parseForm(RestrictForm, body);
export const parseLift = (body: unknown) => parseForm(LiftForm, body);
