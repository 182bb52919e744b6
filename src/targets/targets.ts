/** What applies when no target is set (MISSION §4): 500 outreach contacts a year, 60% access rate. */
export const DEFAULT_REACH_TARGET = 500;
export const DEFAULT_ACCESS_TARGET = 0.6;

export const YEAR_MIN = 2000;
export const YEAR_MAX = 2100;
export const REACH_MAX = 1_000_000;

/** Which rule gave a resolved target: a district target (organization's or program's), an organization's, the program's, or the default. */
export type TargetSource = 'district' | 'organization' | 'program' | 'default';

export interface ResolvedTarget {
  reach: number;
  /** A fraction: 0.6 for 60%. */
  accessRate: number;
  source: TargetSource;
}

/** A stored target as `resolve` needs it (null organization: program-wide; null district: all districts). */
export interface TargetRule {
  organizationId: string | null;
  districtCode: string | null;
  reach: number;
  accessRate: number;
}

export const DEFAULT_TARGET: ResolvedTarget = {
  reach: DEFAULT_REACH_TARGET,
  accessRate: DEFAULT_ACCESS_TARGET,
  source: 'default',
};

/**
 * The target that applies, from the rules of one year (MISSION §4):
 * - without a district: one organization → its own target, else the program's, else the default;
 *   several organizations (or all) → the program's, else the default;
 * - with a district: the district target of that one organization, else the program's district target;
 *   with neither, the rules without a district apply (and `source` says which one did).
 */
export function pickTarget(
  rules: readonly TargetRule[],
  organizationId: string | null,
  districtCode: string | null,
): ResolvedTarget {
  const find = (org: string | null, district: string | null) =>
    rules.find((rule) => rule.organizationId === org && rule.districtCode === district);
  const chain: Array<[TargetRule | undefined, TargetSource]> = [];
  if (districtCode !== null) {
    if (organizationId !== null) chain.push([find(organizationId, districtCode), 'district']);
    chain.push([find(null, districtCode), 'district']);
  }
  if (organizationId !== null) chain.push([find(organizationId, null), 'organization']);
  chain.push([find(null, null), 'program']);
  for (const [rule, source] of chain) {
    if (rule) return { reach: rule.reach, accessRate: rule.accessRate, source };
  }
  return { ...DEFAULT_TARGET };
}

/** The one organization a question is about, or null when it is about several (or all). */
export const singleOrganization = (organizationIds: readonly string[] | 'all'): string | null => {
  if (organizationIds === 'all') return null;
  const distinct = [...new Set(organizationIds)];
  return distinct.length === 1 ? distinct[0] : null;
};

/** A percentage as typed: 1 to 100, at most one decimal, with a point or a comma ("62,5" in Vietnamese). */
const PERCENT = /^(\d{1,3})(?:[.,](\d))?$/;

/**
 * The access-rate box (a percent) as a fraction with four decimals, the way it is stored
 * ("62.5" → "0.6250"); null when it is not a percentage from 1 to 100 with at most one decimal.
 * Counted in tenths of a percent, so no floating-point rounding reaches the database.
 */
export function percentToFraction(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const match = PERCENT.exec(raw.trim());
  if (!match) return null;
  const tenths = Number(match[1]) * 10 + Number(match[2] ?? 0);
  if (tenths < 10 || tenths > 1000) return null;
  return (tenths / 1000).toFixed(4);
}

/** A stored fraction as the percent the form shows: "0.6250" → "62.5", "0.6000" → "60". */
export function fractionToPercent(fraction: string | number): string {
  const tenths = Math.round(Number(fraction) * 1000);
  return tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1);
}
