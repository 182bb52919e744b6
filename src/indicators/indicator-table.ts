import { DOMAINS } from '../reference/codes';
import { hiddenMark, suppressTable } from '../reports/suppression';
import { ALL, FigureRow } from './indicators.repository';

/** The rows of the indicator export (MISSION §6), in their order within each district. */
export const EXPORT_COLUMNS = [
  'indicator',
  'period_start',
  'period_end',
  'district',
  'domain',
  'numerator',
  'denominator',
  'value',
] as const;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string>;

/**
 * (indicator, domain) in export order: the figures of MISSION §6 (counts, the access rate overall and per
 * domain, referrals), then the peer-group activity asked by issue #6 (`group_sessions`: sessions held;
 * `group_members_reached`: distinct members who came to at least one; by the group's district).
 */
export const FIGURES: ReadonlyArray<{ indicator: string; domain: string }> = [
  { indicator: 'reach_contacts', domain: ALL },
  { indicator: 'reached_clients', domain: ALL },
  ...[ALL, ...DOMAINS].map((domain) => ({ indicator: 'access_rate', domain })),
  { indicator: 'referrals_made', domain: ALL },
  { indicator: 'referrals_completed', domain: ALL },
  { indicator: 'group_sessions', domain: ALL },
  { indicator: 'group_members_reached', domain: ALL },
];

/** One figure ready to show or export: strings as they appear (`<k` when hidden). */
export interface ShownFigure {
  indicator: string;
  district: string;
  domain: string;
  numerator: string;
  /** Empty for counts. */
  denominator: string;
  /** The count, or the rate rounded to 4 decimals (empty when the denominator is 0). */
  value: string;
  hidden: boolean;
  /** The rate as a number for charts (null when hidden, a count, or no denominator). */
  rate: number | null;
}

export interface FigureTable {
  /** ALL first, then every district of the geography, in the given order. */
  districts: string[];
  get(indicator: string, district: string, domain?: string): ShownFigure;
  /** Every figure in export order: for ALL and each district, the rows of `FIGURES`. */
  all(): ShownFigure[];
}

const keyOf = (indicator: string, district: string, domain: string) => `${indicator}|${district}|${domain}`;
const rateText = (numerator: number, denominator: number) =>
  denominator === 0 ? '' : (numerator / denominator).toFixed(4);

/**
 * Lays the engine's figures out for every district of the geography (missing figures are zeros, so a
 * missing row is never mistaken for a zero) and applies small-cell suppression when `threshold` is
 * given (MISSION §2 rule 6; null: unsuppressed, for an audited export with a reason).
 *
 * Suppression, per figure across the districts (whose values add up to the ALL figure):
 * - a count is one column of district cells with ALL as its total;
 * - a rate is a table of districts × [users, non-users] whose row totals are the denominators and whose
 *   totals line is the ALL figure; a district's whole row (numerator, denominator, value) is hidden when
 *   any of its three counts is, and so is the ALL row.
 * `reach_contacts` of ALL counts a client seen in two districts on one day once (and
 * `group_members_reached` a member of groups in two districts once), so it may be less than the sum of
 * the districts: the reader then learns only lower bounds of hidden cells, never their value.
 */
export function figureTable(
  rows: readonly FigureRow[],
  geography: readonly string[],
  threshold: number | null,
): FigureTable {
  const raw = new Map(rows.map((r) => [keyOf(r.indicator, r.district, r.domain), r]));
  const districts = [ALL, ...geography];
  const numeratorOf = (indicator: string, district: string, domain: string) =>
    raw.get(keyOf(indicator, district, domain))?.numerator ?? 0;
  const denominatorOf = (indicator: string, district: string, domain: string) =>
    raw.get(keyOf(indicator, district, domain))?.denominator ?? 0;
  const shown = new Map<string, ShownFigure>();
  const mark = threshold === null ? '' : hiddenMark(threshold);

  for (const { indicator, domain } of FIGURES) {
    const isRate = indicator === 'access_rate';
    const hiddenRows = new Set<string>();
    if (threshold !== null) {
      if (isRate) {
        const table = suppressTable(
          geography.map((d) => {
            const num = numeratorOf(indicator, d, domain);
            return [num, denominatorOf(indicator, d, domain) - num];
          }),
          { threshold, columns: 2 },
        );
        geography.forEach((d, i) => {
          if (table.cells[i].some((c) => c.hidden) || table.rowTotals[i].hidden) hiddenRows.add(d);
        });
        if (table.columnTotals.some((c) => c.hidden) || table.total.hidden) hiddenRows.add(ALL);
      } else {
        const table = suppressTable(
          geography.map((d) => [numeratorOf(indicator, d, domain)]),
          { threshold, columns: 1 },
        );
        geography.forEach((d, i) => table.cells[i][0].hidden && hiddenRows.add(d));
        if (table.total.hidden) hiddenRows.add(ALL);
      }
      // An ALL figure that is small by itself (possible for reach_contacts) is hidden too.
      const total = isRate ? denominatorOf(indicator, ALL, domain) : numeratorOf(indicator, ALL, domain);
      const totalNumerator = numeratorOf(indicator, ALL, domain);
      if ((total > 0 && total < threshold) || (totalNumerator > 0 && totalNumerator < threshold)) hiddenRows.add(ALL);
    }
    for (const district of districts) {
      const numerator = numeratorOf(indicator, district, domain);
      const denominator = denominatorOf(indicator, district, domain);
      const hidden = hiddenRows.has(district);
      shown.set(keyOf(indicator, district, domain), {
        indicator,
        district,
        domain,
        numerator: hidden ? mark : String(numerator),
        denominator: isRate ? (hidden ? mark : String(denominator)) : '',
        value: hidden ? mark : isRate ? rateText(numerator, denominator) : String(numerator),
        hidden,
        rate: !isRate || hidden || denominator === 0 ? null : numerator / denominator,
      });
    }
  }

  return {
    districts,
    get: (indicator, district, domain = ALL) => {
      const figure = shown.get(keyOf(indicator, district, domain));
      if (!figure) throw new RangeError(`No figure ${indicator} for ${district}/${domain}`);
      return figure;
    },
    all: () => districts.flatMap((d) => FIGURES.map((f) => shown.get(keyOf(f.indicator, d, f.domain))!)),
  };
}

/** The export rows of MISSION §6 for a period. */
export const exportRows = (table: FigureTable, start: string, end: string): ExportRow[] =>
  table.all().map((f) => ({
    indicator: f.indicator,
    period_start: start,
    period_end: end,
    district: f.district,
    domain: f.domain,
    numerator: f.numerator,
    denominator: f.denominator,
    value: f.value,
  }));
