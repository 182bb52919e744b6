import type { District } from '../geography/district.entity';
import type { Organization } from '../organizations/organization.entity';
import { DOMAINS, REFERRAL_STATUSES } from '../reference/codes';
import type { SuppressedCount } from '../reports/suppression';
import type { Page, PagerView } from '../web/pagination';
import type { ReviewListRow } from './referral-review.repository';
import type { ReviewFigures, ReviewLine } from './referral-review.service';

export const REVIEW_PATH = '/review/referrals';
export const clientPath = (clientId: string) => `/clients/${clientId}`;
export const referralPath = (id: string) => `/referrals/${id}`;

const statusKey = (status: string) => `codes.referralStatus.${status}`;

const countView = (count: SuppressedCount) => ({ display: count.display, hidden: count.hidden });

/** A share as a whole percentage. */
const percent = (share: number | null) => (share === null ? null : `${Math.round(share * 100)}%`);

/** A median of whole days is a whole or a half: its whole part and its tenths (the decimal mark is the language's). */
const days = (median: number | null) => {
  if (median === null) return null;
  const tenths = Math.round(median * 10);
  return { whole: String(Math.floor(tenths / 10)), tenth: tenths % 10 === 0 ? null : String(tenths % 10) };
};

const figuresView = (figures: ReviewFigures) => ({
  made: countView(figures.made),
  statuses: figures.statuses.map(countView),
  share: percent(figures.share),
  median: days(figures.medianDays),
});

export const toLineView = (line: ReviewLine) => ({
  domainKey: `codes.domain.${line.domain}`,
  serviceTypeKey: `codes.serviceType.${line.serviceType}`,
  providerName: line.providerName,
  ...figuresView(line),
});

export const toTotalsView = figuresView;

/** A referral of the own organization: the client's display code links to the client page (none once erased). */
export const toListRow = (row: ReviewListRow) => ({
  clientHref: row.displayCode ? clientPath(row.clientId) : null,
  displayCode: row.displayCode,
  referredOn: row.referredOn,
  domainKey: `codes.domain.${row.domain}`,
  serviceTypeKey: `codes.serviceType.${row.serviceType}`,
  providerName: row.providerName,
  statusKey: statusKey(row.status),
  href: referralPath(row.id),
});

export const statusHeadings = () => REFERRAL_STATUSES.map(statusKey);

export const organizationOptions = (organizations: Organization[]) =>
  organizations.map((o) => ({ value: o.id, label: o.name }));

export const districtOptions = (districts: District[]) => districts.map((d) => ({ value: d.code, label: d.name }));

export const domainOptions = () => DOMAINS.map((d) => ({ value: d, labelKey: `codes.domain.${d}` }));

export const statusOptions = () => REFERRAL_STATUSES.map((s) => ({ value: s, labelKey: statusKey(s) }));

/**
 * A pager for one of the page's two lists: its links change `param` and keep the filters and the
 * other list's page.
 */
export function pagerFor(
  param: 'page' | 'listPage',
  page: Page,
  total: number,
  keep: Record<string, string | undefined>,
): PagerView {
  const pages = Math.max(1, Math.ceil(total / page.limit));
  const link = (target: number) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(keep)) if (v && k !== param) params.set(k, v);
    params.set(param, String(target));
    return `?${params.toString()}`;
  };
  return {
    page: page.page,
    pages,
    total,
    previous: page.page > 1 ? link(page.page - 1) : null,
    next: page.page < pages ? link(page.page + 1) : null,
  };
}
