import { looksLikeIdentifier } from '../privacy/free-text';
import { isOneOf } from '../reference/codes';
import type { FormErrors } from '../web/form';
import { fieldsOf } from '../web/form';
import { CHECKED, isUuid } from '../web/form-rules';
import { EXPORT_FORMATS, ExportFormat } from './indicator-files';
import { parsePeriod, Period, yearPeriod } from './indicator-period';

export const REASON_MIN = 10;
export const REASON_MAX = 500;

/** Why figures leave the program unsuppressed: required, a real sentence, no direct identifier. */
export function checkExportReason(reason: string): string | null {
  const text = reason.trim();
  if (text === '') return 'indicators.errors.reasonRequired';
  if (text.length < REASON_MIN || text.length > REASON_MAX)
    return `indicators.errors.reasonLength|min=${REASON_MIN}|max=${REASON_MAX}`;
  if (looksLikeIdentifier(text)) return 'validation.identifier';
  return null;
}

/** What the dashboard, the report and the export read from the query string or the form. */
export interface IndicatorFilters {
  period: Period;
  /** One of the actor's organizations; null: all of them. */
  organizationId: string | null;
  /** One district of the geography; null: the whole table. */
  district: string | null;
}

export interface ParsedFilters {
  filters: IndicatorFilters;
  /** What the picker shows again. */
  values: Record<string, string>;
  /** Field → message key; the default applies to that field meanwhile. */
  errors: FormErrors;
}

const textOf = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 100) : '');

/**
 * Reads the filters leniently: a bad value gets a message next to its field and the default applies
 * (the year to date), so a mistyped address never costs the page. `organizationIds`/`districtCodes` are
 * those the actor may choose from; anything else is refused the same way (an organization outside the
 * actor's scope reads as unknown).
 */
export function parseFilters(
  query: unknown,
  rules: { today: string; organizationIds: readonly string[]; districtCodes: readonly string[] },
): ParsedFilters {
  const source = fieldsOf(query);
  const errors: FormErrors = {};
  const values = {
    period: textOf(source.period),
    from: textOf(source.from),
    to: textOf(source.to),
    organization: textOf(source.organization),
    district: textOf(source.district),
  };
  // A field sent as a list (`period[]=x`, or the same field twice) is one value too many.
  for (const field of Object.keys(values)) {
    const listed = source[`${field}[]`] !== undefined;
    if (listed || (source[field] !== undefined && typeof source[field] !== 'string'))
      errors[field] = 'validation.invalid';
  }
  const fallback = yearPeriod(Number(rules.today.slice(0, 4)));
  let period = fallback;
  if (values.period !== '' || values.from !== '' || values.to !== '') {
    const parsed = parsePeriod(
      { period: values.period === '' ? 'custom' : values.period, from: values.from, to: values.to },
      rules.today,
    );
    if (parsed.ok) period = parsed.period;
    else errors[parsed.field] = parsed.error;
  }
  if (values.period === '') values.period = period.token;
  let organizationId: string | null = null;
  if (values.organization !== '') {
    if (isUuid(values.organization) && rules.organizationIds.includes(values.organization.toLowerCase()))
      organizationId = values.organization.toLowerCase();
    else errors.organization = 'indicators.errors.organization';
  }
  let district: string | null = null;
  if (values.district !== '') {
    if (rules.districtCodes.includes(values.district)) district = values.district;
    else errors.district = 'indicators.errors.district';
  }
  return { filters: { period, organizationId, district }, values, errors };
}

export interface ExportRequest {
  format: ExportFormat;
  unsuppressed: boolean;
  reason: string | null;
}

/** The export form: a format, and for unsuppressed figures a reason (checked by the service's rules). */
export function parseExportRequest(
  body: unknown,
  mayUnsuppress: boolean,
): { ok: true; value: ExportRequest } | { ok: false; errors: FormErrors } {
  const source = fieldsOf(body);
  const errors: FormErrors = {};
  const format = textOf(source.format) || 'csv';
  if (!isOneOf(EXPORT_FORMATS, format)) errors.format = 'indicators.errors.format';
  const unsuppressed = source.unsuppressed === CHECKED;
  const reason = typeof source.reason === 'string' ? source.reason.trim() : '';
  if (unsuppressed && !mayUnsuppress) errors.unsuppressed = 'indicators.errors.unsuppressedRole';
  else if (unsuppressed) {
    const problem = checkExportReason(reason);
    if (problem) errors.reason = problem;
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { format: format as ExportFormat, unsuppressed, reason: unsuppressed ? reason : null } };
}
