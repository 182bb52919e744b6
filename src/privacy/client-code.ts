import { createHmac, randomInt } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { cryptoConfig, CryptoConfig } from '../config/crypto.config';

/**
 * The client code (UIC) recipe, in one place so a program can configure another one (MISSION §3):
 * 1. first two letters of the mother's given name, 2. first two letters of the father's given name
 * (XX if unknown), 3. sex at birth F/M, 4. two-digit year of birth, 5. first letter of the client's
 * own given name. The raw code is only ever hashed: never stored, logged or put in a URL.
 */
export interface UicParts {
  mother: string;
  father: string;
  sex: string;
  birthYear: string;
  own: string;
}

export const UIC_PART_NAMES: ReadonlyArray<keyof UicParts> = ['mother', 'father', 'sex', 'birthYear', 'own'];

/** Strips Vietnamese diacritics (Đ→D), upper-cases and removes spaces. */
export function normalizeUicText(value: string): string {
  return value
    .replace(/[đĐ]/g, 'D')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/\s+/g, '');
}

const PART_RULES: Record<keyof UicParts, RegExp> = {
  mother: /^[A-Z]{2}$/,
  father: /^[A-Z]{2}$/,
  sex: /^[FM]$/,
  birthYear: /^\d{2}$/,
  own: /^[A-Z]$/,
};

/** A whole normalized code: the five parts in order (used by imports, where the code comes as one column). */
export const COMPOSED_UIC = /^[A-Z]{2}[A-Z]{2}[FM]\d{2}[A-Z]$/;

export type UicResult = { ok: true; code: string } | { ok: false; invalid: Array<keyof UicParts> };

/** Normalizes each part (taking the first letters of a whole name, as a worker may type it) and composes the code. */
export function composeUic(parts: Partial<Record<keyof UicParts, unknown>>): UicResult {
  const take = (name: keyof UicParts, length: number) => normalizeUicText(String(parts[name] ?? '')).slice(0, length);
  // A one-letter given name (Ý, Ư…) is padded with X, the program's letter for "unknown".
  const twoLetters = (name: 'mother' | 'father') => {
    const letters = take(name, 2);
    return letters.length === 1 ? `${letters}X` : letters;
  };
  const normalized: UicParts = {
    mother: twoLetters('mother'),
    father: twoLetters('father') || 'XX',
    sex: take('sex', 1),
    birthYear: String(parts.birthYear ?? '')
      .replace(/\s+/g, '')
      .slice(-2),
    own: take('own', 1),
  };
  const invalid = UIC_PART_NAMES.filter((name) => !PART_RULES[name].test(normalized[name]));
  if (invalid.length > 0) return { ok: false, invalid };
  return { ok: true, code: UIC_PART_NAMES.map((name) => normalized[name]).join('') };
}

/** A whole code typed or imported as one string, normalized; null when it does not follow the recipe. */
export function normalizeComposedUic(value: string): string | null {
  const code = normalizeUicText(value).replace(/[-_.]/g, '');
  return COMPOSED_UIC.test(code) ? code : null;
}

/** The same person gets the same hash on every visit and anywhere in the system; without the key the
 *  hash cannot be reversed by trying the (few) possible codes. */
@Injectable()
export class UicHasher {
  constructor(@Inject(cryptoConfig.KEY) private readonly config: CryptoConfig) {}

  hash(normalizedCode: string): string {
    return createHmac('sha256', this.config.uicKey).update(normalizedCode, 'utf8').digest('hex');
  }
}

/** Unambiguous characters only (no 0/O, 1/I/L, Z, S, B: 2, 5 and 8 stay unmistakable), read aloud or typed on a phone without mistakes. */
export const DISPLAY_CODE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY23456789';
export const DISPLAY_CODE = /^[ACDEFGHJKMNPQRTUVWXY2-9]{3}-[ACDEFGHJKMNPQRTUVWXY2-9]{3}$/;

/** A random short code like `K7F-2Q9`, shown on screens instead of anything about the person. */
export function newDisplayCode(): string {
  const pick = () => DISPLAY_CODE_ALPHABET[randomInt(DISPLAY_CODE_ALPHABET.length)];
  return `${pick()}${pick()}${pick()}-${pick()}${pick()}${pick()}`;
}

/** Search input "k7f 2q9", "K7F2Q9" → "K7F-2Q9"; null when it cannot be a display code. */
export function normalizeDisplayCode(value: string): string | null {
  const compact = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (compact.length !== 6) return null;
  const code = `${compact.slice(0, 3)}-${compact.slice(3)}`;
  return DISPLAY_CODE.test(code) ? code : null;
}
