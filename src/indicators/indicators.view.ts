import type { District } from '../geography/district.entity';
import type { Organization } from '../organizations/organization.entity';
import { DOMAINS, REFERRAL_STATUSES } from '../reference/codes';
import { hiddenMark, suppressTable } from '../reports/suppression';
import type { OutcomeRow } from './indicators.repository';
import { ALL } from './indicators.repository';
import type { FigureTable, ShownFigure } from './indicator-table';
import { Period, periodChoices } from './indicator-period';
import type { ReachProgress } from './indicators.service';

export const INDICATORS_PATH = '/indicators';
export const REPORT_PATH = '/indicators/report';
export const EXPORT_PATH = '/indicators/export';

const percent = (rate: number | null) => (rate === null ? null : `${(rate * 100).toFixed(1)}%`);

/** The period picker: the named periods of the shown year and the year before, and "custom". */
export function periodOptions(period: Period) {
  return [period.year, period.year - 1]
    .flatMap((year) => periodChoices(year))
    .map((p) => ({ value: p.token, label: p.token, labelKey: `indicators.periods.${p.kind}|token=${p.token}` }))
    .concat([{ value: 'custom', label: 'custom', labelKey: 'indicators.periods.custom' }]);
}

export const organizationOptions = (organizations: Organization[]) =>
  organizations.map((o) => ({ value: o.id, label: o.name }));

export const districtOptions = (districts: District[]) => districts.map((d) => ({ value: d.code, label: d.name }));

/** A figure as a card or a cell shows it. */
export const toFigure = (f: ShownFigure) => ({
  numerator: f.numerator,
  denominator: f.denominator,
  value: f.value,
  percent: percent(f.rate),
  hidden: f.hidden,
});

/** The access rate overall and per domain, for the table and the bar chart (hidden rates are gaps). */
export function toAccessRows(table: FigureTable, district: string) {
  return [ALL, ...DOMAINS].map((domain) => {
    const f = table.get('access_rate', district, domain);
    return {
      domain,
      labelKey: domain === ALL ? 'indicators.allDomains' : `codes.domain.${domain}`,
      ...toFigure(f),
      rate: f.rate,
    };
  });
}

/** The district table: ALL first, then the districts that have any figure (all of them when `everyDistrict`). */
export function toDistrictRows(table: FigureTable, districts: District[], only: string | null) {
  const names = new Map(districts.map((d) => [d.code, d.name]));
  const cell = (indicator: string, code: string, domain = ALL) => toFigure(table.get(indicator, code, domain));
  return table.districts
    .filter((code) => (only ? code === only : true))
    .map((code) => ({
      code,
      name: code === ALL ? null : (names.get(code) ?? code),
      reach: cell('reach_contacts', code),
      reached: cell('reached_clients', code),
      access: cell('access_rate', code),
      made: cell('referrals_made', code),
      completed: cell('referrals_completed', code),
    }))
    .filter(
      (row) =>
        only ||
        row.code === ALL ||
        [row.reach, row.reached, row.access, row.made].some(
          (f) => f.numerator !== '0' || (f.denominator !== '' && f.denominator !== '0'),
        ),
    );
}

/**
 * Referrals made in the period by status, per domain or per provider, suppressed as one table with
 * its totals. Statuses are columns in lifecycle order; `labelOf` names a line.
 */
export function toOutcomeTable(
  rows: OutcomeRow[],
  keys: string[],
  threshold: number,
  labelOf: (key: string) => { label?: string; labelKey?: string },
) {
  const counts = keys.map((key) =>
    REFERRAL_STATUSES.map((status) => rows.find((r) => r.key === key && r.status === status)?.referrals ?? 0),
  );
  const table = suppressTable(counts, { threshold, columns: REFERRAL_STATUSES.length });
  return {
    statuses: REFERRAL_STATUSES.map((s) => `codes.referralStatus.${s}`),
    lines: keys.map((key, i) => ({
      ...labelOf(key),
      made: table.rowTotals[i].display,
      cells: table.cells[i].map((c) => c.display),
    })),
    totals: { made: table.total.display, cells: table.columnTotals.map((c) => c.display) },
  };
}

/** The reach chart's data: cumulative reach per month and the target line (straight from 0 to the target). */
export function toReachChart(progress: ReachProgress, threshold: number) {
  const months = progress.cumulative.map((m) => m.month);
  return {
    statusKey: `indicators.status.${progress.status}`,
    rows: progress.cumulative.map((m, i) => ({
      month: m.month,
      display: m.value === null ? hiddenMark(threshold) : String(m.value),
      targetLine: Math.round((progress.target * (i + 1)) / 12),
    })),
    json: JSON.stringify({
      labels: months,
      reach: progress.cumulative.map((m) => m.value),
      target: months.map((_, i) => Math.round((progress.target * (i + 1)) / 12)),
    }),
  };
}

export const toAccessChartJson = (rows: ReturnType<typeof toAccessRows>, target: number, labels: string[]) =>
  JSON.stringify({
    labels,
    rates: rows.map((r) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10)),
    target: Math.round(target * 1000) / 10,
  });
