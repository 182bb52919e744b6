import type { Actor } from '../auth/actor';
import type { District } from '../geography/district.entity';
import { GROUP_KINDS, MEMBER_ROLES, SESSION_TYPES } from '../reference/codes';
import { asList } from '../web/form-rules';
import type { GroupFigures } from './groups.service';
import type { CoordinatorRow, GroupListRow, MemberRow } from './groups.repository';
import type { GroupMembership, PeerGroup } from './peer-group.entity';

export const GROUPS = '/groups';
export const groupPath = (id: string) => `${GROUPS}/${id}`;
export const memberPagePath = (clientId: string) => `${GROUPS}/members/${clientId}`;
export const membershipPath = (groupId: string, membershipId: string) =>
  `${groupPath(groupId)}/members/${membershipId}`;
export const sessionPath = (id: string) => `${GROUPS}/sessions/${id}`;

export type DistrictNames = ReadonlyMap<string, string>;
export const districtNames = (districts: District[]): DistrictNames => new Map(districts.map((d) => [d.code, d.name]));
const nameOf = (names: DistrictNames, code: string) => names.get(code) ?? code;

export const kindOptions = () => GROUP_KINDS.map((k) => ({ value: k, labelKey: `codes.groupKind.${k}` }));
export const roleOptions = () => MEMBER_ROLES.map((r) => ({ value: r, labelKey: `codes.memberRole.${r}` }));
export const sessionTypeOptions = () => SESSION_TYPES.map((s) => ({ value: s, labelKey: `codes.sessionType.${s}` }));
export const districtOptions = (districts: District[]) => districts.map((d) => ({ value: d.code, label: d.name }));

export const toGroupRow = (row: GroupListRow, names: DistrictNames) => ({
  href: groupPath(row.id),
  name: row.name,
  kindKey: `codes.groupKind.${row.kind}`,
  districtName: nameOf(names, row.districtCode),
  active: row.active,
  members: row.members,
  lastSession: row.lastSession,
});

/** The group's heading: what it is, never anything about its members. */
export const toGroupDetail = (group: PeerGroup, names: DistrictNames, coordinators: CoordinatorRow[]) => ({
  id: group.id,
  href: groupPath(group.id),
  name: group.name,
  kindKey: `codes.groupKind.${group.kind}`,
  districtName: nameOf(names, group.districtCode),
  foundedOn: group.foundedOn,
  active: group.active,
  coordinators: coordinators.map((c) => ({ username: c.username, roleKey: `roles.${c.role}`, active: c.active })),
});

/** What the actor may do on the group page. */
export const groupActions = (actor: Actor, group: PeerGroup, mayRun: boolean) => ({
  newSessionHref: mayRun && group.active ? `${groupPath(group.id)}/sessions/new` : null,
  addMemberHref: mayRun && group.active ? `${groupPath(group.id)}/members/new` : null,
  editHref: actor.permissions.has('groups:manage') ? `${groupPath(group.id)}/edit` : null,
  mayRun,
});

/** A membership period: the client by display code only; links to the member page and, for those who run
 *  the group, to the membership (role, leaving). */
export const toMemberRow = (groupId: string, row: MemberRow, mayRun: boolean) => ({
  displayCode: row.displayCode ?? '',
  // An erased client's past membership stays as an anonymous fact (no code, no page).
  erased: row.displayCode === null,
  memberHref: row.displayCode === null ? null : memberPagePath(row.clientId),
  roleKey: `codes.memberRole.${row.role}`,
  joinedOn: row.joinedOn,
  leftOn: row.leftOn,
  lastAttended: row.lastAttended,
  manageHref: mayRun && row.leftOn === null ? membershipPath(groupId, row.membershipId) : null,
});

export const toFiguresView = (figures: GroupFigures) => ({
  currentMembers: figures.currentMembers,
  activeMembers: figures.activeMembers,
  recentSessions: figures.recentSessions,
  recentAverage: figures.recentAverage,
  months: figures.months.map((m) => ({
    month: `${m.month.slice(5, 7)}/${m.month.slice(0, 4)}`,
    sessions: m.sessions,
    attendances: m.memberAttendances + m.anonymous,
    average: m.average,
  })),
});

export const coordinatorOptions = (candidates: CoordinatorRow[], checked: unknown) => {
  const ticked = asList(checked).map((id) => id.toLowerCase());
  return candidates.map((c) => ({
    value: c.id,
    label: c.username,
    roleKey: `roles.${c.role}`,
    checked: ticked.includes(c.id),
  }));
};

/** A group form's values: the group as it is, or (new) today's founding, active, the manager's district. */
export const toGroupFormValues = (group: PeerGroup, coordinatorIds: string[]) => ({
  name: group.name,
  kind: group.kind,
  districtCode: group.districtCode,
  foundedOn: group.foundedOn,
  active: group.active ? '1' : '',
  coordinators: coordinatorIds,
});

export const newGroupValues = (today: string, submissionKey: string) => ({
  name: '',
  kind: 'peer_group',
  districtCode: '',
  foundedOn: today,
  active: '1',
  coordinators: [] as string[],
  submissionKey,
});

export const newMemberValues = (today: string, submissionKey: string) => ({
  role: 'member',
  joinedOn: today,
  submissionKey,
});

export const toMembershipView = (membership: GroupMembership) => ({
  displayCode: membership.client?.displayCode ?? '',
  roleKey: `codes.memberRole.${membership.role}`,
  role: membership.role,
  joinedOn: membership.joinedOn,
  memberHref: memberPagePath(membership.clientId),
});

/** The member page: the memberships the actor may see, each linked to its group. */
export const toClientMembership = (row: MemberRow & { groupId: string; groupName: string }) => ({
  groupHref: groupPath(row.groupId),
  groupName: row.groupName,
  roleKey: `codes.memberRole.${row.role}`,
  joinedOn: row.joinedOn,
  leftOn: row.leftOn,
});
