import { looksLikeIdentifier } from '../../privacy/free-text';
import { providerNameKey } from '../../providers/service-provider.entity';
import {
  ALL_SERVICE_TYPES,
  DOMAINS,
  Domain,
  REFERRAL_STATUSES,
  ReferralStatus,
  SERVICE_TYPES,
} from '../../reference/codes';
import { Cell, codeCell, dayCell, uicCell } from '../cells';
import { KindRows, RowChecker } from './kind-rows';

/** The longest provider name the directory holds (service_provider.name and name_key). */
export const PROVIDER_NAME_MAX = 200;

export interface ReferralRow {
  domain: Domain;
  serviceType: string;
  /** The provider's name as the directory will hold it (NFC, single spaces), or null when the cell is empty. */
  provider: string | null;
  referredOn: string;
  status: ReferralStatus;
  statusDate: string;
}

const characters = (text: string) => [...text].length;

/**
 * An optional provider name. It is public information about an organization, but the cell is free
 * text: a phone or ID number is refused as in any free text of the app (MISSION §2 rule 1).
 */
export function providerCell(text: string): Cell<string | null> {
  if (text === '') return { ok: true, value: null };
  const name = text.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (Math.max(characters(name), characters(providerNameKey(name))) > PROVIDER_NAME_MAX) {
    return { ok: false, reason: `too_long|max=${PROVIDER_NAME_MAX}` };
  }
  if (looksLikeIdentifier(name)) return { ok: false, reason: 'identifier' };
  return { ok: true, value: name };
}

/** A service type code; when the domain is known, one that domain offers. */
function serviceTypeCell(text: string, domain: Domain | undefined): Cell<string> {
  const type = codeCell(text, ALL_SERVICE_TYPES);
  if (!type.ok || !domain || SERVICE_TYPES[domain].includes(type.value)) return type;
  return { ok: false, reason: 'service_type_not_in_domain' };
}

/**
 * `referrals`: referrals of clients already registered in the organization, each with its current
 * status and the day it took effect (for `completed`, the day the service was used).
 */
export const REFERRAL_ROWS: KindRows<ReferralRow> = {
  kind: 'referrals',
  headers: ['uic', 'domain', 'service_type', 'provider', 'referred_on', 'status', 'status_date'],
  client: 'existing',
  check(cells, ctx) {
    const c = new RowChecker();
    const uic = c.take('uic', uicCell(cells.uic, ctx.hashUic));
    const domain = c.take('domain', codeCell(cells.domain, DOMAINS));
    const row: ReferralRow = {
      domain,
      serviceType: c.take('service_type', serviceTypeCell(cells.service_type, domain)),
      provider: c.take('provider', providerCell(cells.provider)),
      referredOn: c.take('referred_on', dayCell(cells.referred_on, ctx.today)),
      status: c.take('status', codeCell(cells.status, REFERRAL_STATUSES)),
      statusDate: c.take('status_date', dayCell(cells.status_date, ctx.today)),
    };
    if (row.referredOn && row.statusDate && row.statusDate < row.referredOn) {
      c.blame('status_date', 'before_referred_on');
    }
    return c.problems.length ? { ok: false, problems: c.problems } : { ok: true, row, uicHash: uic.hash };
  },
  // One referral per client, service and day: a second row for it is a copy, not a second referral.
  uniqueKey: (row, uicHash) => ({
    key: `${uicHash.slice(0, 20)}|${row.domain}|${row.serviceType}|${row.referredOn}`,
    column: 'referred_on',
  }),
};
