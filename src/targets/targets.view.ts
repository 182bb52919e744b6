import type { District } from '../geography/district.entity';
import type { Organization } from '../organizations/organization.entity';
import type { Target } from './target.entity';
import {
  DEFAULT_ACCESS_TARGET,
  DEFAULT_REACH_TARGET,
  fractionToPercent,
  ResolvedTarget,
  YEAR_MAX,
  YEAR_MIN,
} from './targets';
import { PROGRAM_SCOPE } from './targets.forms';
import type { TargetListRow } from './targets.repository';

export const TARGETS_PATH = '/targets';
export const yearPath = (year: number) => `${TARGETS_PATH}?year=${year}`;
export const newTargetPath = (year: number) => `${TARGETS_PATH}/new?year=${year}`;
export const editTargetPath = (id: string) => `${TARGETS_PATH}/${id}/edit`;
export const deleteTargetPath = (id: string) => `${TARGETS_PATH}/${id}/delete`;

type Names = ReadonlyMap<string, string>;

export const districtNames = (districts: District[]): Names => new Map(districts.map((d) => [d.code, d.name]));

/** "60%", "62.5%". */
export const percentOf = (fraction: string | number) => `${fractionToPercent(fraction)}%`;

/** A row of the year's list; `editHref` only when the actor may change it. */
export const toTargetRow = (row: TargetListRow, names: Names, mayChange: boolean) => ({
  id: row.id,
  programWide: row.organizationId === null,
  organizationName: row.organizationName,
  districtName: row.districtCode ? (names.get(row.districtCode) ?? row.districtCode) : null,
  reach: row.reachTarget,
  access: percentOf(row.accessTarget),
  updatedAt: row.updatedAt,
  editHref: mayChange ? editTargetPath(row.id) : null,
});

/** What applies to the actor's view of the year, and which rule gave it. */
export const toInForce = (resolved: ResolvedTarget, scopeKey: string) => ({
  scopeKey,
  reach: resolved.reach,
  access: percentOf(resolved.accessRate),
  sourceKey: `targets.source.${resolved.source}`,
});

export const DEFAULTS_VIEW = { reach: DEFAULT_REACH_TARGET, access: percentOf(DEFAULT_ACCESS_TARGET) };

/** The year switcher: the previous and next years, within the years a target may have. */
export const yearNavigation = (year: number) => ({
  year,
  previousHref: year > YEAR_MIN ? yearPath(year - 1) : null,
  previousYear: year - 1,
  nextHref: year < YEAR_MAX ? yearPath(year + 1) : null,
  nextYear: year + 1,
});

/** The scope select: the program (administrators) and the organizations the actor may choose. */
export const scopeOptions = (program: boolean, organizations: Organization[]) => [
  ...(program ? [{ value: PROGRAM_SCOPE, labelKey: 'targets.programWide' }] : []),
  ...organizations.map((o) => ({ value: o.id, label: o.name })),
];

export const districtOptions = (districts: District[]) => districts.map((d) => ({ value: d.code, label: d.name }));

/** A new target: the year asked for, the actor's usual scope, the defaults as a starting point. */
export const newTargetValues = (year: number, scope: string) => ({
  year: String(year),
  scope,
  districtCode: '',
  reachTarget: String(DEFAULT_REACH_TARGET),
  accessPercent: fractionToPercent(DEFAULT_ACCESS_TARGET),
});

/** The edit form filled with the stored target (the same shape as a submitted form). */
export const toTargetFormValues = (target: Target) => ({
  year: String(target.year),
  scope: target.organizationId ?? PROGRAM_SCOPE,
  districtCode: target.districtCode ?? '',
  reachTarget: String(target.reachTarget),
  accessPercent: fractionToPercent(target.accessTarget),
});
