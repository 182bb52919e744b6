import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { normalizeDisplayCode } from '../privacy/client-code';
import { fieldsOf, FormErrors, FormResult, parseForm } from '../web/form';
import { CHECKED } from '../web/form-rules';
import { MANUAL_ERASURE_REASONS, type ErasureReason } from './erasure.service';

type ManualReason = Exclude<ErasureReason, 'retention'>;

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

/** `client:erase`: the raw client code, the organization's code and a reason code. */
export class ClientEraseArgs {
  @MaxLength(40, { message: 'erasure.errors.uic' })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  uic: string;

  @IsNotEmpty({ message: 'validation.organization' })
  @IsString({ message: 'validation.organization' })
  org: string;

  @IsIn(MANUAL_ERASURE_REASONS, { message: `erasure.errors.reasonCode|codes=${MANUAL_ERASURE_REASONS.join(', ')}` })
  reason: ManualReason;
}
