import type { ImportKind } from '../import-kinds';
import { ASSESSMENT_ROWS } from './assessments.rows';
import { CLIENT_ROWS } from './clients.rows';
import { CONTACT_ROWS } from './contacts.rows';
import type { KindRows } from './kind-rows';
import { REFERRAL_ROWS } from './referrals.rows';

/** The kinds that can be imported, in the order the page offers them (each has a writer in import-writers.ts). */
export const KIND_ROWS: Partial<Record<ImportKind, KindRows<unknown>>> = {
  clients: CLIENT_ROWS as KindRows<unknown>,
  assessments: ASSESSMENT_ROWS as KindRows<unknown>,
  contacts: CONTACT_ROWS as KindRows<unknown>,
  referrals: REFERRAL_ROWS as KindRows<unknown>,
};

export const SUPPORTED_KINDS = Object.keys(KIND_ROWS) as ImportKind[];

export const isSupportedKind = (value: unknown): value is ImportKind =>
  typeof value === 'string' && SUPPORTED_KINDS.includes(value as ImportKind);
