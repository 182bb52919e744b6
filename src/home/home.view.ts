import type { Actor } from '../auth/actor';
import type { Organization } from '../organizations/organization.entity';
import type { FollowUpRow } from '../referrals/referrals.repository';
import { toFollowUpRow } from '../referrals/referrals.view';

export const toHomeView = (actor: Actor, organization: Organization) => ({
  username: actor.username,
  roleKey: `roles.${actor.role}`,
  introKey: `home.${actor.role}`,
  organizationName: organization.name,
});

/** The follow-up panel: counts, the oldest few, a link to the whole list. */
export const toFollowUpPanel = (followUps: { rows: FollowUpRow[]; due: number; overdue: number }, mine: boolean) => ({
  due: followUps.due,
  overdue: followUps.overdue,
  referrals: followUps.rows.map(toFollowUpRow),
  href: `/referrals/follow-up?scope=${mine ? 'mine' : 'all'}`,
});
