import type { Client } from '../clients/client.entity';
import { clientPath, DistrictNames, toClientSummary } from '../clients/clients.view';
import type { RetentionCounts } from './retention.service';
import { MANUAL_ERASURE_REASONS } from './erasure.service';

export const erasePath = (clientId: string) => `${clientPath(clientId)}/erase`;

/** The erasure page: enough to recognise the record (as on the merge page), nothing more. */
export const toErasureView = (client: Client, names: DistrictNames) => ({
  ...toClientSummary(client, names),
  eraseHref: erasePath(client.id),
});

export const erasureReasonOptions = () =>
  MANUAL_ERASURE_REASONS.map((reason) => ({ value: reason, labelKey: `erasure.reasons.${reason}` }));

/** The dry-run table of the admin page: organizations and counts only. */
export const toRetentionView = (counts: RetentionCounts) => ({
  asOf: counts.asOf,
  cutoff: counts.cutoff,
  months: counts.months,
  total: counts.total,
  rows: counts.organizations.map((o) => ({ code: o.code, name: o.name, count: o.count })),
});
