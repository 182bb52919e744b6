import { addDays } from '../web/days';
import type { PrivacyRequestStatus } from './privacy-request.entity';

/** The legal deadline of a request received on `receivedOn`: that day plus `days` calendar days. */
export const dueDayOf = (receivedOn: string, days: number): string => addDays(receivedOn, days);

/**
 * Overdue: still open after its deadline day (Hanoi calendar). On the deadline day itself a request
 * is due, not yet overdue.
 */
export const isOverdue = (request: { status: PrivacyRequestStatus; dueOn: string }, today: string): boolean =>
  request.status === 'open' && today > request.dueOn;

/** Whole days left until the deadline (0 on the day, negative once overdue). */
export const daysLeft = (dueOn: string, today: string): number =>
  Math.round((Date.parse(`${dueOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
