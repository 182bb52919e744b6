import { addDays, dayOf, EARLIEST_DAY } from '../web/days';

/** The periods a manager reports on: a month, a quarter, the 6-month period, a year, or any days. */
export const PERIOD_KINDS = ['month', 'quarter', 'half', 'year', 'custom'] as const;
export type PeriodKind = (typeof PERIOD_KINDS)[number];

export interface Period {
  kind: PeriodKind;
  /** The token of a named period (`2026`, `2026-H1`, `2026-Q3`, `2026-05`) or `custom`. */
  token: string;
  start: string;
  end: string;
  /** The calendar year the targets of the period belong to (the year of its end). */
  year: number;
}

/** Longest custom period: ten years (anything longer is a typo, and would only be slow). */
const MAX_DAYS = 3653;

const pad = (n: number) => String(n).padStart(2, '0');
const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const monthSpan = (year: number, first: number, last: number) => ({
  start: `${year}-${pad(first)}-01`,
  end: `${year}-${pad(last)}-${pad(lastDayOfMonth(year, last))}`,
});

/** A named period from its token, or null when the token names none. */
export function namedPeriod(token: string): Period | null {
  let match = /^(\d{4})$/.exec(token);
  if (match) return { kind: 'year', token, year: Number(match[1]), ...monthSpan(Number(match[1]), 1, 12) };
  match = /^(\d{4})-H([12])$/.exec(token);
  if (match) {
    const half = Number(match[2]);
    return { kind: 'half', token, year: Number(match[1]), ...monthSpan(Number(match[1]), half * 6 - 5, half * 6) };
  }
  match = /^(\d{4})-Q([1-4])$/.exec(token);
  if (match) {
    const q = Number(match[2]);
    return { kind: 'quarter', token, year: Number(match[1]), ...monthSpan(Number(match[1]), q * 3 - 2, q * 3) };
  }
  match = /^(\d{4})-(\d{2})$/.exec(token);
  if (match && Number(match[2]) >= 1 && Number(match[2]) <= 12) {
    const month = Number(match[2]);
    return { kind: 'month', token, year: Number(match[1]), ...monthSpan(Number(match[1]), month, month) };
  }
  return null;
}

export const yearPeriod = (year: number): Period => namedPeriod(String(year))!;

/** The named periods of a year offered by the period picker, year first. */
export function periodChoices(year: number): Period[] {
  const tokens = [
    String(year),
    `${year}-H1`,
    `${year}-H2`,
    ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
    ...Array.from({ length: 12 }, (_, i) => `${year}-${pad(i + 1)}`),
  ];
  return tokens.map((t) => namedPeriod(t)!);
}

export type PeriodResult = { ok: true; period: Period } | { ok: false; field: 'period' | 'from' | 'to'; error: string };

/**
 * Reads a period: `period` is a named token, or `custom` with `from` and `to` (YYYY-MM-DD or
 * dd/mm/yyyy). Refused, with the message key to show: an unknown token, a day that does not exist,
 * an end before the start, days before 2000 or more than a year after today, more than ten years.
 */
export function parsePeriod(input: { period?: unknown; from?: unknown; to?: unknown }, today: string): PeriodResult {
  const token = typeof input.period === 'string' ? input.period.trim() : '';
  const latest = addDays(today, 366);
  let period: Period | null;
  if (token === 'custom' || (token === '' && (input.from !== undefined || input.to !== undefined))) {
    const start = dayOf(input.from);
    const end = dayOf(input.to);
    if (!start) return { ok: false, field: 'from', error: 'validation.date' };
    if (!end) return { ok: false, field: 'to', error: 'validation.date' };
    if (end < start) return { ok: false, field: 'to', error: 'indicators.errors.endBeforeStart' };
    period = { kind: 'custom', token: 'custom', start, end, year: Number(end.slice(0, 4)) };
  } else {
    period = namedPeriod(token);
    if (!period) return { ok: false, field: 'period', error: 'indicators.errors.period' };
  }
  if (period.start < EARLIEST_DAY || period.start > latest || period.end > latest)
    return { ok: false, field: period.kind === 'custom' ? 'from' : 'period', error: 'indicators.errors.range' };
  const days = (Date.parse(period.end) - Date.parse(period.start)) / 86_400_000 + 1;
  if (days > MAX_DAYS) return { ok: false, field: 'to', error: 'indicators.errors.tooLong' };
  return { ok: true, period };
}

/** The months (YYYY-MM) a period touches, oldest first. */
export function monthsOf(period: Pick<Period, 'start' | 'end'>): string[] {
  const months: string[] = [];
  let [y, m] = period.start.split('-').map(Number);
  const last = period.end.slice(0, 7);
  for (;;) {
    const month = `${y}-${pad(m)}`;
    months.push(month);
    if (month >= last) return months;
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
}
