import { ConflictException } from '@nestjs/common';
import type { Client } from '../clients/client.entity';

/** The message of the page a refused write shows (both languages). */
export const RESTRICTED_MESSAGE = 'restriction.refused';

/**
 * A write refused because the client restricted the processing of their data (MISSION §2 rule 7):
 * answered 409 with a page saying so (see `render-errors.filter.ts`). Nothing was changed.
 */
export class ClientRestrictedError extends ConflictException {
  constructor() {
    super({ messageKey: RESTRICTED_MESSAGE });
  }
}

export const isRestricted = (client: Pick<Client, 'restrictedAt'>): boolean => client.restrictedAt != null;

/**
 * The one check every write about a client goes through (contacts, assessments, referrals, client
 * details, merges, group memberships): while restricted, the record is read-only except for lifting
 * the restriction.
 */
export function assertNotRestricted(client: Pick<Client, 'restrictedAt'>): void {
  if (isRestricted(client)) throw new ClientRestrictedError();
}

/** Why a manager restricts processing, or lifts the restriction: closed lists (codes go to the audit trail). */
export const RESTRICT_REASONS = ['client_request', 'accuracy_disputed', 'awaiting_erasure', 'other'] as const;
export type RestrictReason = (typeof RESTRICT_REASONS)[number];

export const LIFT_REASONS = ['client_request', 'dispute_resolved', 'restricted_by_mistake', 'other'] as const;
export type LiftReason = (typeof LIFT_REASONS)[number];
