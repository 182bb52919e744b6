import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, validate, ValidateBy } from 'class-validator';
import type { FormErrors } from '../web/form';
import { fieldsOf } from '../web/form';
import { programDay } from '../web/days';
import { AUDIT_ACTIONS, AuditAction } from './audit-action';

/** A username, `anonymous`, or `cli:<os user>` (the command line). */
const ACTOR_NAME = /^(?:cli:)?[A-Za-z0-9._@-]{1,76}$/;

const IsCalendarDay = (message: string) =>
  ValidateBy(
    {
      name: 'isCalendarDay',
      validator: { validate: (value) => typeof value === 'string' && programDay(value) !== null },
    },
    { message },
  );

/**
 * Midnight in Hanoi at the start of `day` plus `plusDays`. Vietnam has kept UTC+7 all year since
 * 1975 (no daylight saving), so a fixed offset is exact.
 */
export function hanoiMidnight(day: string, plusDays = 0): Date {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, date + plusDays) - 7 * 3_600_000);
}

/** The filters of the audit viewer, as read from the query string of its GET form. */
export class AuditFilterQuery {
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: 'audit.errors.action' })
  action?: AuditAction;

  @IsOptional()
  @IsString({ message: 'audit.errors.actor' })
  @Matches(ACTOR_NAME, { message: 'audit.errors.actor' })
  actor?: string;

  @IsOptional()
  @IsCalendarDay('audit.errors.date')
  from?: string;

  @IsOptional()
  @IsCalendarDay('audit.errors.date')
  to?: string;
}

const FILTER_FIELDS = ['action', 'actor', 'from', 'to'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];

export interface AuditFilters {
  /** What the search applies: only the valid filters. `to` is already the exclusive bound. */
  criteria: { action?: AuditAction; actorName?: string; from?: Date; to?: Date };
  /** What the form shows again (the submitted text, dates as YYYY-MM-DD for the date inputs). */
  values: Partial<Record<FilterField, string>>;
  /** Field → message key, shown next to the field; that filter is not applied. */
  errors: FormErrors;
  /** The valid filters, kept by the pager's links. */
  query: Partial<Record<FilterField, string>>;
}

/**
 * Reads the filters leniently: a bad value gets a message next to its field and is left out of the
 * search, while the others still apply, so a mistyped filter never costs the page (no 400, no 500).
 * Dates are Hanoi days: `from` starts at its midnight, `to` includes the whole day.
 */
export async function parseAuditFilters(query: unknown): Promise<AuditFilters> {
  const source = fieldsOf(query);
  const submitted: Partial<Record<FilterField, unknown>> = {};
  for (const field of FILTER_FIELDS) {
    const raw = typeof source[field] === 'string' ? (source[field] as string).trim() : source[field];
    if (raw !== undefined && raw !== '') submitted[field] = raw;
  }

  const form = plainToInstance(AuditFilterQuery, submitted);
  const failures = await validate(form, { stopAtFirstError: true, forbidUnknownValues: true });
  const errors: FormErrors = {};
  for (const failure of failures) {
    errors[failure.property] = Object.values(failure.constraints ?? {})[0] ?? 'audit.errors.invalid';
  }
  const valid = <K extends FilterField>(field: K): AuditFilterQuery[K] | undefined =>
    errors[field] ? undefined : form[field];
  const action = valid('action');
  const actor = valid('actor');
  const fromText = valid('from');
  const toText = valid('to');
  const from = fromText ? (programDay(fromText) ?? undefined) : undefined;
  let to = toText ? (programDay(toText) ?? undefined) : undefined;
  if (from && to && to < from) {
    errors.to = 'audit.errors.dateOrder';
    to = undefined;
  }

  const values: AuditFilters['values'] = {};
  for (const field of FILTER_FIELDS) {
    const value = submitted[field];
    if (typeof value === 'string') values[field] = value.slice(0, 100);
  }
  if (from) values.from = from;
  if (to) values.to = to;

  return {
    criteria: {
      action,
      actorName: actor,
      from: from ? hanoiMidnight(from) : undefined,
      to: to ? hanoiMidnight(to, 1) : undefined,
    },
    values,
    errors,
    query: { action, actor, from, to },
  };
}
