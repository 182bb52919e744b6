import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { NoDirectIdentifiers } from '../privacy/free-text';
import { SESSION_TYPES, SessionType, Topic, TOPICS } from '../reference/codes';
import { FormErrors, FormResult, parseForm, fieldsOf } from '../web/form';
import { asList, CHECKED, UUID, wholeNumber } from '../web/form-rules';
import { checkDay, shownDay } from './groups.forms';

export const SESSION_NOTE_MAX = 1000;
export const DURATION_MAX = 720;
export const ANONYMOUS_MAX = 500;
export const SESSION_QUANTITY_MAX = 5000;
/** More ticks than this is not a session of a peer group. */
export const ATTENDEES_MAX = 300;

export const SESSION_QUANTITY_FIELDS = ['condoms', 'lubricants', 'hivSelfTests'] as const;

/** A facilitator as the form sends it: a staff member (`u:<id>`) or a member of the group (`c:<id>`). */
const FACILITATOR = /^([uc]):([0-9a-f-]{36})$/i;

export class SessionForm {
  @IsString({ message: 'validation.required' })
  sessionDate: string;

  @IsString({ message: `groups.errors.duration|max=${DURATION_MAX}` })
  durationMinutes: string;

  @IsIn(SESSION_TYPES, { message: 'groups.errors.sessionType' })
  sessionType: SessionType;

  /** No box ticked sends no field at all, hence the default. */
  @Transform(({ value }) => asList(value))
  @IsArray({ message: 'groups.errors.topics' })
  @ArrayMaxSize(TOPICS.length, { message: 'groups.errors.topics' })
  @IsIn(TOPICS, { each: true, message: 'groups.errors.topics' })
  topics: Topic[] = [];

  @Transform(({ value }) => asList(value))
  @IsArray({ message: 'groups.errors.attendees' })
  @ArrayMaxSize(ATTENDEES_MAX, { message: 'groups.errors.attendees' })
  @IsUUID('all', { each: true, message: 'groups.errors.attendees' })
  attendees: string[] = [];

  @Transform(({ value }) => asList(value))
  @IsArray({ message: 'groups.errors.facilitators' })
  @ArrayMaxSize(ATTENDEES_MAX, { message: 'groups.errors.facilitators' })
  @IsString({ each: true, message: 'groups.errors.facilitators' })
  facilitators: string[] = [];

  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  anonymousAttendees?: string;

  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  condoms?: string;

  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  lubricants?: string;

  @IsOptional()
  @IsString({ message: 'validation.invalid' })
  hivSelfTests?: string;

  /** An unticked box sends nothing (or, from some clients, an empty value). */
  @IsIn([CHECKED], { message: 'validation.invalid' })
  @IsOptional()
  @Transform(({ value }) => (value === '' ? undefined : value))
  countsAsContact?: string;

  // class-validator checks the bottom decorator first.
  @NoDirectIdentifiers()
  @MaxLength(SESSION_NOTE_MAX, { message: `validation.tooLong|max=${SESSION_NOTE_MAX}` })
  @IsString({ message: 'validation.invalid' })
  @IsOptional()
  note?: string;
}

export class NewSessionForm extends SessionForm {
  @IsUUID('all', { message: 'groups.errors.submission' })
  @IsString({ message: 'groups.errors.submission' })
  submissionKey: string;
}

export interface SessionInput {
  sessionDate: string;
  durationMinutes: number;
  sessionType: SessionType;
  topics: Topic[];
  /** Members who came; those who led it are marked. */
  attendance: Array<{ clientId: string; facilitated: boolean }>;
  facilitatorUserIds: string[];
  anonymousAttendees: number;
  condoms: number;
  lubricants: number;
  hivSelfTests: number;
  countsAsContact: boolean;
  note: string | null;
}

export interface SessionFormRules {
  today: string;
  /** The group's founding day: no session before it. */
  foundedOn: string;
  /** Staff who may be named as facilitators (the group's coordinators, plus those already named). */
  facilitatorUserIds: readonly string[];
  /** The members of the group on a day (client ids): only they may be ticked as present. */
  membersOn: (day: string) => Promise<readonly string[]>;
}

async function parseWith<T extends SessionForm>(
  formClass: new () => T,
  body: unknown,
  rules: SessionFormRules,
): Promise<FormResult<{ input: SessionInput; form: T }>> {
  const parsed = await parseForm(formClass, body);
  const errors: FormErrors = parsed.ok ? {} : { ...parsed.errors };
  const source = fieldsOf(body);

  let sessionDate: string | null = null;
  if (!errors.sessionDate) {
    const checked = checkDay(source.sessionDate, rules.today, {
      day: rules.foundedOn,
      key: `groups.errors.beforeFounded|date=${shownDay(rules.foundedOn)}`,
    });
    if ('error' in checked) errors.sessionDate = checked.error;
    else sessionDate = checked.day;
  }
  const duration = wholeNumber(source.durationMinutes, 1, DURATION_MAX, null);
  if (!errors.durationMinutes && duration === null)
    errors.durationMinutes = `groups.errors.duration|max=${DURATION_MAX}`;
  const anonymous = wholeNumber(source.anonymousAttendees, 0, ANONYMOUS_MAX, 0);
  if (!errors.anonymousAttendees && anonymous === null) {
    errors.anonymousAttendees = `groups.errors.anonymous|max=${ANONYMOUS_MAX}`;
  }
  const quantities: Partial<Record<(typeof SESSION_QUANTITY_FIELDS)[number], number>> = {};
  for (const field of SESSION_QUANTITY_FIELDS) {
    const n = wholeNumber(source[field], 0, SESSION_QUANTITY_MAX, 0);
    if (errors[field]) continue;
    if (n === null) errors[field] = `groups.errors.quantity|max=${SESSION_QUANTITY_MAX}`;
    else quantities[field] = n;
  }

  // Facilitators: the group's staff, or members (who then count as present).
  const staff = new Set<string>();
  const leading = new Set<string>();
  if (!errors.facilitators) {
    for (const token of asList(source.facilitators)) {
      const match = FACILITATOR.exec(token.trim());
      const id = match?.[2].toLowerCase();
      if (!match || !id || !UUID.test(id)) errors.facilitators = 'groups.errors.facilitators';
      else if (match[1].toLowerCase() === 'u') {
        if (rules.facilitatorUserIds.includes(id)) staff.add(id);
        else errors.facilitators = 'groups.errors.facilitators';
      } else leading.add(id);
    }
  }

  const present = new Set(errors.attendees ? [] : asList(source.attendees).map((id) => id.trim().toLowerCase()));
  for (const id of leading) present.add(id);
  if (sessionDate && !errors.attendees && !errors.facilitators) {
    const members = new Set(await rules.membersOn(sessionDate));
    const strangers = [...present].filter((id) => !members.has(id));
    if (strangers.length > 0) {
      const key = [...leading].some((id) => !members.has(id)) ? 'facilitators' : 'attendees';
      errors[key] = `groups.errors.notMemberThen|date=${shownDay(sessionDate)}`;
    }
  }
  if (!errors.attendees && !errors.anonymousAttendees && present.size === 0 && anonymous === 0) {
    errors.attendees = 'groups.errors.nobody';
  }

  if (!parsed.ok || Object.keys(errors).length > 0 || !sessionDate || duration === null || anonymous === null) {
    return { ok: false, errors };
  }
  const form = parsed.value;
  return {
    ok: true,
    value: {
      form,
      input: {
        sessionDate,
        durationMinutes: duration,
        sessionType: form.sessionType,
        topics: [...new Set(form.topics)],
        attendance: [...present].sort().map((clientId) => ({ clientId, facilitated: leading.has(clientId) })),
        facilitatorUserIds: [...staff].sort(),
        anonymousAttendees: anonymous,
        condoms: quantities.condoms ?? 0,
        lubricants: quantities.lubricants ?? 0,
        hivSelfTests: quantities.hivSelfTests ?? 0,
        countsAsContact: form.countsAsContact === CHECKED,
        note: form.note ? form.note : null,
      },
    },
  };
}

/** The session form of a new session: the session and the form's submission key (a double submit records once). */
export async function parseNewSession(
  body: unknown,
  rules: SessionFormRules,
): Promise<FormResult<{ input: SessionInput; submissionKey: string }>> {
  const result = await parseWith(NewSessionForm, body, rules);
  if (!result.ok) return result;
  return {
    ok: true,
    value: { input: result.value.input, submissionKey: result.value.form.submissionKey.toLowerCase() },
  };
}

export async function parseSessionChanges(body: unknown, rules: SessionFormRules): Promise<FormResult<SessionInput>> {
  const result = await parseWith(SessionForm, body, rules);
  return result.ok ? { ok: true, value: result.value.input } : result;
}
