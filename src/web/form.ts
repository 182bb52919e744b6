import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { hasMessage } from '../i18n/i18n';

/** A posted form or a query string as a record of fields (anything else has none). */
export const fieldsOf = (body: unknown): Record<string, unknown> =>
  typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};

/** Field name → message key (optionally "key|name=value" for placeholders), translated by the view. */
export type FormErrors = Record<string, string>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

/**
 * Validates an HTML form body against a class-validator form class. Decorator messages are
 * message keys (`validation.required`), so errors show next to the field in the user's language.
 * Unknown fields are dropped; every string is trimmed.
 */
export async function parseForm<T extends object>(
  formClass: ClassConstructor<T>,
  body: unknown,
): Promise<FormResult<T>> {
  const source = fieldsOf(body);
  const trimmed = Object.fromEntries(Object.entries(source).map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]));
  const value = plainToInstance(formClass, trimmed, { excludeExtraneousValues: false });
  const failures = await validate(value, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
  if (failures.length === 0) return { ok: true, value };
  const errors: FormErrors = {};
  for (const failure of failures) {
    const messages = Object.values(failure.constraints ?? {});
    // Decorator messages are message keys; class-validator's own English defaults are not shown.
    const key = messages[0]?.split('|')[0];
    errors[failure.property] = key && hasMessage(key) ? messages[0] : 'validation.invalid';
  }
  return { ok: false, errors };
}

/** The submitted values to re-render a form with, never including password fields. */
export function formValues(body: unknown, omit: string[] = []): Record<string, unknown> {
  const source = fieldsOf(body);
  return Object.fromEntries(Object.entries(source).filter(([k]) => !omit.includes(k) && !/password|_csrf/i.test(k)));
}
