import type { ReferralStatus } from '../reference/codes';

/**
 * The referral lifecycle (MISSION §4): `referred` → `scheduled` → `completed` | `declined` |
 * `no_show` | `lost` | `cancelled`. A scheduled appointment may be moved (scheduled → scheduled) and a
 * missed one booked again (no_show → scheduled). `completed`, `declined`, `lost` and `cancelled` end
 * the referral; a mistake there is fixed by a correction, which is audited as such.
 */
export const TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  referred: ['scheduled', 'completed', 'declined', 'lost', 'cancelled'],
  scheduled: ['scheduled', 'completed', 'declined', 'no_show', 'lost', 'cancelled'],
  no_show: ['scheduled', 'lost', 'cancelled'],
  completed: [],
  declined: [],
  lost: [],
  cancelled: [],
};

/** Statuses that still wait for something to happen: the follow-up list watches them. */
export const OPEN_STATUSES: readonly ReferralStatus[] = ['referred', 'scheduled', 'no_show'];

export const nextStatuses = (status: ReferralStatus): readonly ReferralStatus[] => TRANSITIONS[status];

export const canMove = (from: ReferralStatus, to: ReferralStatus): boolean => TRANSITIONS[from].includes(to);

export const isOpen = (status: ReferralStatus): boolean => OPEN_STATUSES.includes(status);

/** Days without an update after which an open referral is due for follow-up, and overdue. */
export const FOLLOW_UP_DUE_DAYS = 14;
export const FOLLOW_UP_OVERDUE_DAYS = 30;

/** `due` from 14 days without an update, `overdue` after 30 (31 and more). */
export function followUpState(daysWithoutUpdate: number): 'due' | 'overdue' | null {
  if (daysWithoutUpdate > FOLLOW_UP_OVERDUE_DAYS) return 'overdue';
  if (daysWithoutUpdate >= FOLLOW_UP_DUE_DAYS) return 'due';
  return null;
}
