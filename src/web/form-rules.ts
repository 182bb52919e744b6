/** Validation rules shared by the web forms and the command line. */

/** Codes (organizations, districts): lower-case ASCII words joined by hyphens, as in imports and exports. */
export const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

export const USERNAME = /^[a-z0-9._-]{3,60}$/;

/** Codes and usernames are compared and stored in lower case. */
export const lowerCase = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value);

/** A checked checkbox sends "1"; an unchecked one sends nothing. */
export const CHECKED = '1';

/** A checkbox list arrives as nothing, one string or an array of strings: always a list here. */
export const asList = (value: unknown): string[] =>
  value === undefined || value === null || value === '' ? [] : ([] as unknown[]).concat(value).map(String);

/** A canonical UUID. Ids from URLs and forms are checked with it before any query, so a malformed id
 *  is a 404 or a field error, never a database error. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

/** A whole number typed in a box, in [min, max]; an emptied (or absent) box is `empty`; else null. */
export function wholeNumber(raw: unknown, min: number, max: number, empty: number | null): number | null {
  if (raw === undefined || raw === null) return empty;
  if (typeof raw !== 'string') return null;
  const text = raw.trim();
  if (text === '') return empty;
  if (!/^\d{1,9}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}
