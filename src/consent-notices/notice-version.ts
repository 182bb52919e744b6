/**
 * Versions of the consent notice: `YYYY-MM`, the month the text was written, or `YYYY-MM-N` (N from 2
 * to 99) for a further version in the same month. A new version must be greater than the current one,
 * so "older than the current notice" is well defined for every client.
 */
export const NOTICE_VERSION = /^(20\d{2})-(0[1-9]|1[0-2])(?:-([2-9]|[1-9]\d))?$/;

/** The same rule in SQL, for the table's CHECK constraint (kept next to the TypeScript one). */
export const NOTICE_VERSION_SQL = '^20[0-9]{2}-(0[1-9]|1[0-2])(-([2-9]|[1-9][0-9]))?$';

export const NOTICE_VERSION_MAX_LENGTH = 20;

/** The notice every installation starts with (inserted by the migration that created the table). */
export const FIRST_NOTICE_VERSION = '2026-01';

interface VersionParts {
  /** `YYYY-MM`. */
  month: string;
  /** 1 for `YYYY-MM`, N for `YYYY-MM-N`. */
  n: number;
}

function partsOf(version: string): VersionParts | null {
  const match = NOTICE_VERSION.exec(version);
  return match ? { month: `${match[1]}-${match[2]}`, n: match[3] ? Number(match[3]) : 1 } : null;
}

export const isNoticeVersion = (text: unknown): text is string => typeof text === 'string' && partsOf(text) !== null;

/** Negative when a < b, zero when equal, positive when a > b (both valid versions). */
export function compareNoticeVersions(a: string, b: string): number {
  const pa = partsOf(a);
  const pb = partsOf(b);
  if (!pa || !pb) throw new Error('Not a notice version');
  return pa.month < pb.month ? -1 : pa.month > pb.month ? 1 : pa.n - pb.n;
}

/**
 * Whether a client who agreed to `agreed` must be asked again because `current` replaced it. A version
 * that is not one (it cannot be, the table refuses them) counts as older: asking again is the safe side.
 */
export const needsRenewal = (agreed: string, current: string): boolean =>
  !isNoticeVersion(agreed) || compareNoticeVersions(agreed, current) < 0;

/** Why a version cannot be published after `current` on `today` (a Hanoi day), or null when it can. */
export function versionRefusal(version: string, current: string, today: string): string | null {
  const parts = partsOf(version);
  if (!parts) return 'consentNotices.errors.versionFormat';
  if (parts.month > today.slice(0, 7)) return 'consentNotices.errors.versionFuture';
  if (compareNoticeVersions(version, current) <= 0) return 'consentNotices.errors.versionNotGreater';
  return null;
}

/** The version the publish form suggests: this month's, or the next free number in it. */
export function suggestedVersion(current: string, today: string): string {
  const month = today.slice(0, 7);
  const parts = partsOf(current);
  if (!parts || parts.month < month) return month;
  if (parts.month > month || parts.n >= 99) return ''; // nothing valid this month: the admin chooses
  return `${parts.month}-${parts.n + 1}`;
}
