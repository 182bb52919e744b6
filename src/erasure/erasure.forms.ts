import { IsIn, IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';
import { NoDirectIdentifiers } from '../privacy/free-text';
import { normalizeDisplayCode } from '../privacy/client-code';
import { fieldsOf, FormErrors, FormResult, parseForm } from '../web/form';
import { CHECKED } from '../web/form-rules';
import { MANUAL_ERASURE_REASONS, type ManualErasureReason } from './erasure.service';

type ManualReason = ManualErasureReason;

class ErasureForm {
  @IsIn(MANUAL_ERASURE_REASONS, { message: 'erasure.errors.reason' })
  reason: ManualReason;

  @MaxLength(20, { message: 'erasure.errors.confirmCode' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  confirmCode: string;
}

/**
 * The erasure form: a reason from the closed list, and the display code typed again (any case or
 * spacing), which must be the code of the client on the page: a slip of the finger cannot erase anyone.
 */
export async function parseErasure(body: unknown, displayCode: string): Promise<FormResult<{ reason: ManualReason }>> {
  const form = await parseForm(ErasureForm, body);
  const errors: FormErrors = form.ok ? {} : { ...form.errors };
  if (form.ok && normalizeDisplayCode(form.value.confirmCode) !== displayCode) {
    errors.confirmCode = 'erasure.errors.confirmCode';
  }
  if (!form.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { reason: form.value.reason } };
}

class RetentionRunForm {
  @IsIn([CHECKED], { message: 'retention.errors.confirm' })
  confirm: string;
}

/** Running the retention job from the admin page needs the box "I understand" ticked. */
export async function parseRetentionRun(body: unknown): Promise<FormResult<true>> {
  const form = await parseForm(RetentionRunForm, { confirm: fieldsOf(body).confirm });
  return form.ok ? { ok: true, value: true } : form;
}

const REASON_MIN = 5;
const REASON_MAX = 300;

/**
 * `client:erase`: the raw client code, the organization's code and the reason (MISSION §6: `--reason
 * TEXT`): one of the reason codes, or words — then recorded as `other` with the words sealed in the audit
 * trail, refused when they look like a phone or ID number.
 */
export class ClientEraseArgs {
  @MaxLength(40, { message: 'erasure.errors.uic' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  uic: string;

  @IsNotEmpty({ message: 'validation.organization' })
  @IsString({ message: 'validation.organization' })
  org: string;

  @NoDirectIdentifiers()
  @MaxLength(REASON_MAX, { message: `erasure.errors.reasonText|codes=${MANUAL_ERASURE_REASONS.join(', ')}` })
  @MinLength(REASON_MIN, { message: `erasure.errors.reasonText|codes=${MANUAL_ERASURE_REASONS.join(', ')}` })
  @IsString({ message: `erasure.errors.reasonText|codes=${MANUAL_ERASURE_REASONS.join(', ')}` })
  reason: string;
}

/** A reason from the command line: its code, and the words when it was not one of the codes. */
export function erasureReasonOf(text: string): { reason: ManualReason; words: string | null } {
  const trimmed = text.trim();
  const code = MANUAL_ERASURE_REASONS.find((r) => r === trimmed);
  return code ? { reason: code, words: null } : { reason: 'other', words: trimmed };
}
