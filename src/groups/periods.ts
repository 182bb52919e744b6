/** Calendar arithmetic on YYYY-MM-DD days (Hanoi calendar days, no time of day). */

const parts = (day: string) => day.split('-').map(Number) as [number, number, number];
const iso = (date: Date) => date.toISOString().slice(0, 10);

/** The same day `months` months later (or earlier), clamped to the end of a shorter month (31/03 − 1 → 28/02). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = parts(day);
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return iso(new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))));
}

/** The first day of the month of `day`, `back` months earlier. */
export function monthStart(day: string, back = 0): string {
  const [y, m] = parts(day);
  return iso(new Date(Date.UTC(y, m - 1 - back, 1)));
}

/** The months (YYYY-MM) from `count - 1` months before `day` up to `day`'s month, oldest first. */
export function lastMonths(day: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => monthStart(day, count - 1 - i).slice(0, 7));
}

/** 1 January of `day`'s year. */
export const yearStart = (day: string) => `${day.slice(0, 4)}-01-01`;
