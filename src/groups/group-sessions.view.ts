import { TOPICS } from '../reference/codes';
import { asList } from '../web/form-rules';
import type { ActivityTable } from './group-sessions.service';
import type { SessionRecord } from './group-sessions.service';
import type { SessionListRow } from './group-sessions.repository';
import type { CoordinatorRow, MemberRow } from './groups.repository';
import { DistrictNames, groupPath, memberPagePath, sessionPath } from './groups.view';

/** Who leads most sessions: shown first among the facilitators. */
const LEADING_ROLES = ['leader', 'peer_educator'];

export const DEFAULT_DURATION = '90';

export const topicOptions = (checked: unknown) => {
  const ticked = asList(checked);
  return TOPICS.map((topic) => ({ value: topic, labelKey: `codes.topic.${topic}`, checked: ticked.includes(topic) }));
};

/** The attendance checklist: the members of the group on the session day (and anyone already ticked). */
export const attendeeOptions = (members: MemberRow[], checked: unknown) => {
  const ticked = asList(checked).map((id) => id.toLowerCase());
  return members.map((m) => ({
    value: m.clientId,
    displayCode: m.displayCode ?? '',
    // An erased client keeps their attendance as an anonymous fact (no code to show).
    erased: m.displayCode === null,
    roleKey: m.role === 'member' ? null : `codes.memberRole.${m.role}`,
    checked: ticked.includes(m.clientId),
  }));
};

/** Facilitators: the group's coordinators, then its leaders and peer educators. */
export const facilitatorOptions = (coordinators: CoordinatorRow[], members: MemberRow[], checked: unknown) => {
  const ticked = asList(checked).map((id) => id.toLowerCase());
  return [
    ...coordinators.map((c) => ({ value: `u:${c.id}`, label: c.username, roleKey: `roles.${c.role}` })),
    ...members
      .filter((m) => LEADING_ROLES.includes(m.role))
      .map((m) => ({ value: `c:${m.clientId}`, label: m.displayCode ?? '', roleKey: `codes.memberRole.${m.role}` })),
  ].map((option) => ({ ...option, checked: ticked.includes(option.value) }));
};

/** A fresh form: today, a usual length, a regular meeting led by the one logging it, nobody ticked yet. */
export const newSessionValues = (today: string, submissionKey: string, userId: string, isCoordinator: boolean) => ({
  sessionDate: today,
  durationMinutes: DEFAULT_DURATION,
  sessionType: 'regular_meeting',
  topics: [] as string[],
  attendees: [] as string[],
  facilitators: isCoordinator ? [`u:${userId}`] : ([] as string[]),
  anonymousAttendees: '0',
  condoms: '0',
  lubricants: '0',
  hivSelfTests: '0',
  countsAsContact: '',
  note: '',
  submissionKey,
});

export const toSessionFormValues = (record: SessionRecord) => {
  const { session } = record;
  return {
    sessionDate: session.sessionDate,
    durationMinutes: String(session.durationMinutes),
    sessionType: session.sessionType,
    topics: [...session.topics] as string[],
    attendees: record.attendance.map((a) => a.clientId),
    facilitators: [
      ...session.facilitatorUserIds.map((id) => `u:${id}`),
      ...record.attendance.filter((a) => a.facilitated).map((a) => `c:${a.clientId}`),
    ],
    anonymousAttendees: String(session.anonymousAttendees),
    condoms: String(session.condoms),
    lubricants: String(session.lubricants),
    hivSelfTests: String(session.hivSelfTests),
    countsAsContact: session.countsAsContact ? '1' : '',
    note: record.note ?? '',
  };
};

/** A form posted back with errors shows what was typed; the lists always as lists. */
export const submittedSessionValues = (
  values: Record<string, unknown>,
): Record<string, unknown> & { topics: string[]; attendees: string[]; facilitators: string[] } => ({
  ...values,
  topics: asList(values.topics),
  attendees: asList(values.attendees),
  facilitators: asList(values.facilitators),
});

export const toSessionRow = (row: SessionListRow) => ({
  href: sessionPath(row.id),
  sessionDate: row.sessionDate,
  typeKey: `codes.sessionType.${row.sessionType}`,
  durationMinutes: row.durationMinutes,
  members: row.members,
  anonymous: row.anonymousAttendees,
  total: row.members + row.anonymousAttendees,
  countsAsContact: row.countsAsContact,
});

export const toSessionDetail = (record: SessionRecord, people: CoordinatorRow[]) => {
  const { session, group } = record;
  const staff = people.filter((c) => session.facilitatorUserIds.includes(c.id)).map((c) => c.username);
  return {
    groupName: group.name,
    groupHref: groupPath(group.id),
    sessionDate: session.sessionDate,
    typeKey: `codes.sessionType.${session.sessionType}`,
    durationMinutes: session.durationMinutes,
    topicKeys: session.topics.map((t) => `codes.topic.${t}`),
    facilitators: [...staff, ...record.attendance.filter((a) => a.facilitated).map((a) => a.displayCode ?? '')],
    attendance: record.attendance.map((a) => ({
      displayCode: a.displayCode ?? '',
      erased: a.displayCode === null,
      memberHref: a.displayCode === null ? null : memberPagePath(a.clientId),
      facilitated: a.facilitated,
    })),
    members: record.attendance.length,
    anonymous: session.anonymousAttendees,
    total: record.attendance.length + session.anonymousAttendees,
    commodities: (['condoms', 'lubricants', 'hivSelfTests'] as const)
      .filter((kind) => session[kind] > 0)
      .map((kind) => ({ labelKey: `codes.commodity.${kind}`, count: session[kind] })),
    countsAsContact: session.countsAsContact,
    note: record.note,
  };
};

/** The activity table: a hidden count shows as "<k" (small, or hidden to protect a small one). */
export const toActivityView = (table: ActivityTable, names: DistrictNames) => {
  const row = (r: ActivityTable['total'], name: string) => ({
    name,
    activeGroups: r.activeGroups,
    sessions: r.sessions,
    membersReached: r.membersReached.display,
    anonymousAttendees: r.anonymousAttendees.display,
    condoms: r.condoms,
    lubricants: r.lubricants,
    hivSelfTests: r.hivSelfTests,
  });
  return {
    threshold: table.threshold,
    rows: table.rows.map((r) => row(r, names.get(r.districtCode ?? '') ?? r.districtCode ?? '')),
    total: row(table.total, ''),
  };
};
