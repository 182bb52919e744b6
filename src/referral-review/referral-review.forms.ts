import { dayOf, EARLIEST_DAY } from '../web/days';
import { DOMAINS, Domain, isOneOf, REFERRAL_STATUSES, ReferralStatus } from '../reference/codes';
import type { FormErrors } from '../web/form';
import { fieldsOf } from '../web/form';

export const FILTER_FIELDS = ['from', 'to', 'organization', 'district', 'domain', 'status'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

/** What the review applies: always a period; the other filters only when given and valid. */
export interface ReviewFilters {
  from: string;
  to: string;
  /** One of the actor's organizations; absent: all of them. */
  organizationId?: string;
  districtCode?: string;
  domain?: Domain;
  status?: ReferralStatus;
}

export interface ParsedReviewFilters {
  filters: ReviewFilters;
  /** What the form shows (the submitted text, or the default period). */
  values: Partial<Record<FilterField, string>>;
  /** Field → message key, shown next to the filter; that filter is not applied. */
  errors: FormErrors;
  /** The filters given and applied, kept by the pagers' links. */
  query: Partial<Record<FilterField, string>>;
  /** Which filters were applied (their names only: what the audit trail records). */
  applied: FilterField[];
}

export interface ReviewFilterRules {
  /** Today in Hanoi: the default end of the period. */
  today: string;
  /** The organizations the actor may review (own and granted). */
  organizationIds: readonly string[];
  districtCodes: readonly string[];
}

/** The default period: 1 January of the current year (in Hanoi) to today. */
export const defaultPeriod = (today: string) => ({ from: `${today.slice(0, 4)}-01-01`, to: today });

/**
 * Reads the filters leniently (like the contact list's): a bad value gets a message next to its filter
 * and is not applied while the others still are, so a mistyped filter never costs the page (no 400, no
 * 500). A bad or reversed period falls back to the default one.
 */
export function parseReviewFilters(query: unknown, rules: ReviewFilterRules): ParsedReviewFilters {
  const source = fieldsOf(query);
  const values: ParsedReviewFilters['values'] = {};
  const errors: FormErrors = {};
  const submitted: Partial<Record<FilterField, string>> = {};
  for (const field of FILTER_FIELDS) {
    const raw = source[field];
    if (raw === undefined || raw === '') continue;
    if (typeof raw !== 'string') {
      errors[field] = 'referralReview.errors.filter';
      continue;
    }
    const text = raw.trim();
    values[field] = text.slice(0, 100);
    if (text !== '') submitted[field] = text;
  }

  const period = defaultPeriod(rules.today);
  const kept: ParsedReviewFilters['query'] = {};
  const chosen: Partial<Record<'from' | 'to', string>> = {};
  for (const field of ['from', 'to'] as const) {
    if (submitted[field] === undefined) continue;
    const day = dayOf(submitted[field]);
    if (!day || day < EARLIEST_DAY) errors[field] = 'validation.date';
    else chosen[field] = day;
  }
  const from = chosen.from ?? period.from;
  const to = chosen.to ?? period.to;
  const reversed = from > to;
  const filters: ReviewFilters = reversed ? { ...period } : { from, to };
  if (reversed) {
    // The end given last is the one to fix; the default period applies meanwhile (the page says which).
    errors[chosen.to ? 'to' : 'from'] = 'referralReview.errors.dateOrder';
  } else {
    for (const field of ['from', 'to'] as const) {
      if (chosen[field]) kept[field] = chosen[field];
      if (!errors[field]) values[field] = filters[field];
    }
  }

  if (submitted.organization !== undefined) {
    if (rules.organizationIds.includes(submitted.organization))
      filters.organizationId = kept.organization = submitted.organization;
    else errors.organization = 'referralReview.errors.organization';
  }
  if (submitted.district !== undefined) {
    if (rules.districtCodes.includes(submitted.district)) filters.districtCode = kept.district = submitted.district;
    else errors.district = 'referralReview.errors.district';
  }
  if (submitted.domain !== undefined) {
    if (isOneOf(DOMAINS, submitted.domain)) filters.domain = kept.domain = submitted.domain;
    else errors.domain = 'referralReview.errors.domain';
  }
  if (submitted.status !== undefined) {
    if (isOneOf(REFERRAL_STATUSES, submitted.status)) filters.status = kept.status = submitted.status;
    else errors.status = 'referralReview.errors.status';
  }
  const applied = FILTER_FIELDS.filter((field) => kept[field] !== undefined);
  return { filters, values, errors, query: kept, applied };
}
