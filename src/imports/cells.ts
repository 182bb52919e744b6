import { normalizeComposedUic } from '../privacy/client-code';
import { isOneOf } from '../reference/codes';
import { dayOf, EARLIEST_DAY } from '../web/days';

/**
 * Reading one cell of an imported file. Every reader returns the value or a reason code; none of them
 * ever puts the cell's text into the reason.
 */
export type Cell<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Cell<T> => ({ ok: true, value });
const bad = (reason: string): Cell<never> => ({ ok: false, reason });

/** Imports refuse days before this one: they are not outreach of this program, most likely typos. */
export const BIRTH_YEAR_MIN = 1940;
/** Nobody younger than this is registered; later years are typos. */
export const MIN_AGE_YEARS = 10;
/** More of one commodity in one contact than this is a typo (and would not fit the column). */
export const COUNT_MAX = 10_000;

/** A required day, not in the future (Hanoi calendar) and not before the program's records begin. */
export function dayCell(text: string, today: string): Cell<string> {
  if (text === '') return bad('required');
  const day = dayOf(text);
  if (!day) return bad('invalid_date');
  if (day > today) return bad('future_date');
  if (day < EARLIEST_DAY) return bad(`date_too_early|min=${EARLIEST_DAY.split('-').reverse().join('/')}`);
  return ok(day);
}

/** A code of one of the stable lists (codes are lower case; surrounding spaces and capitals are forgiven). */
export function codeCell<T extends string>(text: string, list: readonly T[]): Cell<T> {
  if (text === '') return bad('required');
  const code = text.toLowerCase();
  return isOneOf(list, code) ? ok(code) : bad('unknown_code');
}

export function districtCell(text: string, districts: ReadonlySet<string>): Cell<string> {
  if (text === '') return bad('required');
  const code = text.toLowerCase();
  return districts.has(code) ? ok(code) : bad('unknown_district');
}

/** `a;b;c` of one list; empty means none. Repeats count once. */
export function codeListCell<T extends string>(text: string, list: readonly T[]): Cell<T[]> {
  const codes = text
    .split(';')
    .map((part) => part.trim().toLowerCase())
    .filter(Boolean);
  if (!codes.every((code) => isOneOf(list, code))) return bad('unknown_code');
  return ok([...new Set(codes)] as T[]);
}

/** A whole number of items handed out; empty means none. Spreadsheets may write `3.0`. */
export function countCell(text: string): Cell<number> {
  if (text === '') return ok(0);
  if (/^-\s*\d+(\.0+)?$/.test(text)) return bad('negative');
  const match = /^\+?(\d+)(\.0+)?$/.exec(text);
  if (!match) return bad('not_whole_number');
  const value = Number(match[1]);
  return value > COUNT_MAX ? bad(`too_large|max=${COUNT_MAX}`) : ok(value);
}

export const latestBirthYear = (today: string) => Number(today.slice(0, 4)) - MIN_AGE_YEARS;

export function birthYearCell(text: string, today: string): Cell<number> {
  if (text === '') return bad('required');
  const match = /^(\d{4})(\.0+)?$/.exec(text);
  if (!match) return bad('not_whole_number');
  const year = Number(match[1]);
  const latest = latestBirthYear(today);
  if (year < BIRTH_YEAR_MIN || year > latest) return bad(`birth_year_range|min=${BIRTH_YEAR_MIN}|max=${latest}`);
  return ok(year);
}

/**
 * The raw client code is normalized and hashed here, on arrival; only the hash leaves this function
 * (with the code's two year digits, which the clients file checks against `birth_year`).
 */
export function uicCell(text: string, hash: (code: string) => string): Cell<{ hash: string; yearDigits: string }> {
  if (text === '') return bad('required');
  const code = normalizeComposedUic(text);
  if (!code) return bad('invalid_uic');
  return ok({ hash: hash(code), yearDigits: code.slice(5, 7) });
}
