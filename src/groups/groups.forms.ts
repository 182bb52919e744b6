import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { parseDisplayCode, parseUicLookup } from '../clients/clients.forms';
import { dayOf, EARLIEST_DAY } from '../web/days';
import type { UicParts } from '../privacy/client-code';
import { NoDirectIdentifiers } from '../privacy/free-text';
import { GROUP_KINDS, GroupKind, MEMBER_ROLES, MemberRole } from '../reference/codes';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import { asList, CHECKED, isUuid } from '../web/form-rules';

export const GROUP_NAME_MAX = 80;
/** More coordinators than this is a mistake (a tick too many), not a group. */
export const COORDINATORS_MAX = 20;

const textOf = (body: unknown, name: string): string => {
  const value = fieldsOf(body)[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** A day in [earliest, today], or the message key saying what is wrong with it. */
export function checkDay(
  raw: unknown,
  today: string,
  earliest: { day: string; key: string } = { day: EARLIEST_DAY, key: 'groups.errors.tooOld' },
): { day: string } | { error: string } {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    return { error: 'validation.required' };
  }
  const day = dayOf(typeof raw === 'string' ? raw.trim() : raw);
  if (!day) return { error: 'validation.date' };
  if (day > today) return { error: 'groups.errors.future' };
  if (day < EARLIEST_DAY) return { error: 'groups.errors.tooOld' };
  if (day < earliest.day) return { error: earliest.key };
  return { day };
}

/** dd/mm/yyyy, for the placeholders of messages. */
export const shownDay = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

// ---------------------------------------------------------------------------------------------
// The group itself (managers)

export class GroupForm {
  // class-validator checks the bottom decorator first.
  @NoDirectIdentifiers()
  @MaxLength(GROUP_NAME_MAX, { message: `validation.tooLong|max=${GROUP_NAME_MAX}` })
  @IsNotEmpty({ message: 'validation.required' })
  @IsString({ message: 'validation.required' })
  name: string;

  @IsIn(GROUP_KINDS, { message: 'groups.errors.kind' })
  kind: GroupKind;

  @IsString({ message: 'groups.errors.district' })
  districtCode: string;

  @IsString({ message: 'validation.required' })
  foundedOn: string;

  /** An unticked box sends nothing (or, from some clients, an empty value). */
  @IsIn([CHECKED], { message: 'validation.invalid' })
  @IsOptional()
  @Transform(({ value }) => (value === '' ? undefined : value))
  active?: string;

  @Transform(({ value }) => asList(value))
  @IsArray({ message: 'groups.errors.coordinators' })
  @ArrayMaxSize(COORDINATORS_MAX, { message: 'groups.errors.coordinators' })
  @IsUUID('all', { each: true, message: 'groups.errors.coordinators' })
  coordinators: string[] = [];
}

export class NewGroupForm extends GroupForm {
  @IsUUID('all', { message: 'groups.errors.submission' })
  @IsString({ message: 'groups.errors.submission' })
  submissionKey: string;
}

export interface GroupInput {
  name: string;
  kind: GroupKind;
  districtCode: string;
  foundedOn: string;
  active: boolean;
  coordinatorIds: string[];
}

export interface GroupFormRules {
  today: string;
  districtCodes: readonly string[];
  /** Staff who may coordinate (plus the current coordinators of an edited group). */
  coordinatorIds: readonly string[];
  /** An edited group: its founding day may not move after its first session or membership. */
  latestFoundedOn?: string | null;
}

async function parseGroupWith<T extends GroupForm>(
  formClass: new () => T,
  body: unknown,
  rules: GroupFormRules,
): Promise<FormResult<{ input: GroupInput; form: T }>> {
  const parsed = await parseForm(formClass, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  if (!errors.districtCode && !rules.districtCodes.includes(textOf(body, 'districtCode'))) {
    errors.districtCode = 'groups.errors.district';
  }
  let foundedOn: string | null = null;
  if (!errors.foundedOn) {
    const checked = checkDay(fieldsOf(body).foundedOn, rules.today);
    if ('error' in checked) errors.foundedOn = checked.error;
    else if (rules.latestFoundedOn && checked.day > rules.latestFoundedOn) {
      errors.foundedOn = `groups.errors.foundedAfterActivity|date=${shownDay(rules.latestFoundedOn)}`;
    } else foundedOn = checked.day;
  }
  const coordinators = [...new Set(asList(fieldsOf(body).coordinators).map((id) => id.toLowerCase()))];
  if (!errors.coordinators) {
    if (coordinators.length === 0) errors.coordinators = 'groups.errors.noCoordinator';
    else if (coordinators.some((id) => !rules.coordinatorIds.includes(id))) {
      errors.coordinators = 'groups.errors.coordinators';
    }
  }
  if (!parsed.ok || Object.keys(errors).length > 0 || !foundedOn) return { ok: false, errors };
  const form = parsed.value;
  return {
    ok: true,
    value: {
      form,
      input: {
        name: form.name.replace(/\s+/g, ' '),
        kind: form.kind,
        districtCode: form.districtCode,
        foundedOn,
        active: form.active === CHECKED,
        coordinatorIds: coordinators,
      },
    },
  };
}

export async function parseNewGroup(
  body: unknown,
  rules: GroupFormRules,
): Promise<FormResult<{ input: GroupInput; submissionKey: string }>> {
  const result = await parseGroupWith(NewGroupForm, body, rules);
  if (!result.ok) return result;
  return {
    ok: true,
    value: { input: result.value.input, submissionKey: result.value.form.submissionKey.toLowerCase() },
  };
}

export async function parseGroupChanges(body: unknown, rules: GroupFormRules): Promise<FormResult<GroupInput>> {
  const result = await parseGroupWith(GroupForm, body, rules);
  return result.ok ? { ok: true, value: result.value.input } : result;
}

// ---------------------------------------------------------------------------------------------
// Members: added by display code or by the UIC parts, a role changed, a leaving recorded

export class MembershipForm {
  @IsIn(MEMBER_ROLES, { message: 'groups.errors.role' })
  role: MemberRole;

  @IsString({ message: 'validation.required' })
  joinedOn: string;

  @IsUUID('all', { message: 'groups.errors.submission' })
  @IsString({ message: 'groups.errors.submission' })
  submissionKey: string;
}

export interface MembershipInput {
  role: MemberRole;
  joinedOn: string;
  submissionKey: string;
}

export type MemberLookup = { kind: 'code'; displayCode: string } | { kind: 'uic'; parts: UicParts };

export interface MembershipRules {
  today: string;
  foundedOn: string;
}

async function parseMembership(body: unknown, rules: MembershipRules, errors: FormErrors) {
  const parsed = await parseForm(MembershipForm, body);
  if (!parsed.ok) Object.assign(errors, parsed.errors);
  let joinedOn: string | null = null;
  if (!errors.joinedOn) {
    const checked = checkDay(fieldsOf(body).joinedOn, rules.today, {
      day: rules.foundedOn,
      key: `groups.errors.beforeFounded|date=${shownDay(rules.foundedOn)}`,
    });
    if ('error' in checked) errors.joinedOn = checked.error;
    else joinedOn = checked.day;
  }
  return parsed.ok && joinedOn
    ? { role: parsed.value.role, joinedOn, submissionKey: parsed.value.submissionKey.toLowerCase() }
    : null;
}

/** Adding a member by the display code on their card. */
export async function parseAddByCode(
  body: unknown,
  rules: MembershipRules,
): Promise<FormResult<{ lookup: MemberLookup; membership: MembershipInput }>> {
  const errors: FormErrors = {};
  const typed = textOf(body, 'displayCode');
  const displayCode = parseDisplayCode(typed);
  if (!typed) errors.displayCode = 'validation.required';
  else if (!displayCode) errors.displayCode = 'groups.errors.displayCode';
  const membership = await parseMembership(body, rules, errors);
  if (!membership || !displayCode || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { lookup: { kind: 'code', displayCode }, membership } };
}

/** Adding a member by the five parts of their code (the same lookup as the outreach workflow). */
export async function parseAddByUic(
  body: unknown,
  rules: MembershipRules,
): Promise<FormResult<{ lookup: MemberLookup; membership: MembershipInput }>> {
  const errors: FormErrors = {};
  const uic = await parseUicLookup(body, rules.today);
  if (!uic.ok) Object.assign(errors, uic.errors);
  const membership = await parseMembership(body, rules, errors);
  if (!uic.ok || !membership || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { lookup: { kind: 'uic', parts: uic.value.parts }, membership } };
}

class RoleForm {
  @IsIn(MEMBER_ROLES, { message: 'groups.errors.role' })
  role: MemberRole;
}

export async function parseRoleChange(body: unknown): Promise<FormResult<MemberRole>> {
  const parsed = await parseForm(RoleForm, body);
  return parsed.ok ? { ok: true, value: parsed.value.role } : parsed;
}

export interface LeavingRules {
  today: string;
  joinedOn: string;
  /** The last session of the group the member came to in this period: they left on or after it. */
  lastAttended: string | null;
}

/** The day a member left: not before they joined, nor before a session they came to, nor in the future. */
export function parseLeaving(body: unknown, rules: LeavingRules): FormResult<string> {
  const earliest = rules.lastAttended && rules.lastAttended > rules.joinedOn ? rules.lastAttended : rules.joinedOn;
  const key =
    earliest === rules.joinedOn
      ? `groups.errors.leftBeforeJoined|date=${shownDay(earliest)}`
      : `groups.errors.leftBeforeAttended|date=${shownDay(earliest)}`;
  const checked = checkDay(fieldsOf(body).leftOn, rules.today, { day: earliest, key });
  return 'error' in checked ? { ok: false, errors: { leftOn: checked.error } } : { ok: true, value: checked.day };
}

/** The id of a membership or client from a form field, or null. */
export const idOf = (value: unknown): string | null => (isUuid(value) ? value.toLowerCase() : null);
