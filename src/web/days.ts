/** Calendar days (`YYYY-MM-DD`, the Hanoi day of MISSION §4) as forms, imports and tests handle them. */

/** Days before this are not records of this program (and most likely a typo). */
export const EARLIEST_DAY = '2000-01-01';
const LATEST_DAY = '2999-12-31';

const ISO_DAY = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const VN_DAY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * The calendar day as YYYY-MM-DD, or null when the text is not a real day (31/02, 2025-13-01…).
 * Accepts what `<input type="date">` sends (YYYY-MM-DD) and dd/mm/yyyy, typed where a phone has no date
 * picker. The range a form allows (not in the future, not before 2000…) is checked by the caller.
 */
export function dayOf(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const trimmed = text.trim();
  const iso = ISO_DAY.exec(trimmed);
  const vn = VN_DAY.exec(trimmed);
  const [year, month, day] = iso
    ? [Number(iso[1]), Number(iso[2]), Number(iso[3])]
    : vn
      ? [Number(vn[3]), Number(vn[2]), Number(vn[1])]
      : [NaN, NaN, NaN];
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year);
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real
    ? `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`
    : null;
}

/** A real day within the years a record of this program may carry (2000–2999), else null. */
export function programDay(text: unknown): string | null {
  const day = dayOf(text);
  return day && day >= EARLIEST_DAY && day <= LATEST_DAY ? day : null;
}

/** The day `days` days after (or before, when negative) `day`. */
export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
