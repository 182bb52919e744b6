/** The calendar arithmetic of the retention rule (MISSION §2 rule 8), kept pure so it is tested alone. */

/**
 * The first day of activity that keeps a client: `asOf` minus `months` calendar months (the 31st of a
 * shorter month falls back to its last day). A client whose last activity was on day L is kept while
 * L >= cutoff, that is through L + months, and erased from the day after.
 */
export function retentionCutoff(asOf: string, months: number): string {
  const [year, month, day] = asOf.split('-').map(Number);
  const target = year * 12 + (month - 1) - months;
  const targetYear = Math.floor(target / 12);
  const targetMonth = target - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(targetYear, 4)}-${pad(targetMonth + 1)}-${pad(Math.min(day, lastDay))}`;
}

/** Hanoi keeps UTC+7 all year (no daylight saving time). */
const HANOI_OFFSET_MS = 7 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Milliseconds from `now` to the next `hour`:00 in Hanoi (strictly later: at 02:00 sharp, the next day's). */
export function msUntilNextRun(now: Date, hour: number): number {
  const hanoi = new Date(now.getTime() + HANOI_OFFSET_MS);
  let next = Date.UTC(hanoi.getUTCFullYear(), hanoi.getUTCMonth(), hanoi.getUTCDate(), hour) - HANOI_OFFSET_MS;
  if (next <= now.getTime()) next += DAY_MS;
  return next - now.getTime();
}
