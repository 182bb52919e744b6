import { registerDecorator, ValidationOptions } from 'class-validator';

/**
 * Free text must not carry direct identifiers (MISSION §2 rule 1). Refused: a Vietnamese phone
 * number (10 digits starting with 0, or +84…, with or without spaces, dots or dashes) and an ID
 * number (9 or 12 digits: old identity card, citizen identity card).
 */
const PHONE = /(?:\+\s?84|\b0)(?:[\s.-]?\d){9}\b/;
const DIGIT_RUN = /\d(?:[\s.-]?\d)*/g;

export function looksLikeIdentifier(text: string): 'phone' | 'id' | null {
  if (PHONE.test(text)) return 'phone';
  for (const run of text.match(DIGIT_RUN) ?? []) {
    const digits = run.replace(/\D/g, '');
    if (digits.length === 10 && digits.startsWith('0')) return 'phone';
    if (digits.length === 9 || digits.length === 12) return 'id';
  }
  return null;
}

/** class-validator: refuses phone-like and ID-like numbers with the message `validation.identifier`. */
export function NoDirectIdentifiers(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'noDirectIdentifiers',
      target: target.constructor,
      propertyName,
      options: { message: 'validation.identifier', ...options },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || looksLikeIdentifier(value) === null,
      },
    });
}
