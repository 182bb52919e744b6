import { Matches, IsString } from 'class-validator';
import { dayOf } from '../web/days';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';

/** What the provider types from the slip; spaces and a missing hyphen in the code are forgiven. */
export class ConfirmationForm {
  @Matches(/^[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}$/, { message: 'confirm.errors.code' })
  @IsString({ message: 'confirm.errors.code' })
  code: string;

  @Matches(/^\d{6}$/, { message: 'confirm.errors.pin' })
  @IsString({ message: 'confirm.errors.pin' })
  pin: string;

  @IsString({ message: 'validation.required' })
  servedOn: string;
}

export async function parseConfirmation(
  body: unknown,
  today: string,
): Promise<FormResult<{ code: string; pin: string; servedOn: string }>> {
  const parsed = await parseForm(ConfirmationForm, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  const raw = fieldsOf(body).servedOn;
  const day = dayOf(typeof raw === 'string' ? raw.trim() : raw);
  if (!errors.servedOn) {
    if (raw === undefined || raw === '') errors.servedOn = 'validation.required';
    else if (!day) errors.servedOn = 'validation.date';
    else if (day > today) errors.servedOn = 'confirm.errors.future';
  }
  if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { code: parsed.value.code, pin: parsed.value.pin, servedOn: day! } };
}
