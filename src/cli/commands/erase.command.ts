import { cliContext } from '../../audit/audit.service';
import { ClientEraseArgs } from '../../erasure/erasure.forms';
import { ClientErasureService, ErasureRefusedError } from '../../erasure/erasure.service';
import { RetentionCounts, RetentionService } from '../../erasure/retention.service';
import { translate } from '../../i18n/i18n';
import { OrganizationsService } from '../../organizations/organizations.service';
import { CliCommand, UsageError, validated } from '../command';

/**
 * `client:erase`: the same erasure as the client page (MISSION §6), audited as the OS user. The raw code
 * is hashed at once and never printed; the answer names the client by nothing but the fact.
 */
export const clientEraseCommand: CliCommand = {
  name: 'client:erase',
  usage: `client:erase --uic RAW --org CODE --reason REASON   (REASON: client_request, consent_withdrawn, recorded_in_error or other)`,
  options: ['uic', 'org', 'reason'],
  run: async (app, values) => {
    const args = await validated(ClientEraseArgs, values);
    const organization = await app.get(OrganizationsService).findByCode(args.org.toLowerCase());
    if (!organization) throw new UsageError(`--org: no organization has the code ${args.org}`);
    const erasure = app.get(ClientErasureService);
    const clientId = await erasure.findByUic(organization.id, args.uic);
    if (!clientId) throw new UsageError(`--uic: ${translate('en', 'erasure.errors.noSuchClient')}`);
    try {
      const done = await erasure.erase({ ...cliContext(), organizationId: organization.id }, clientId, args.reason);
      return `Client erased (${done.sealedCells} sealed note(s) cleared, ${done.slips} slip(s) voided, ${done.memberships} group membership(s) ended).`;
    } catch (error) {
      if (error instanceof ErasureRefusedError) throw new UsageError(`--uic: ${translate('en', error.messageKey)}`);
      throw error;
    }
  },
};

const table = (counts: RetentionCounts, verb: string) =>
  [
    `Retention: ${counts.months} months; clients with no activity since before ${counts.cutoff} (as of ${counts.asOf}).`,
    ...counts.organizations.map((o) => `  ${o.code}\t${o.count}`),
    `${verb}: ${counts.total}`,
  ].join('\n');

/** `retention:run [--dry-run]`: what the scheduled job does, now; the dry run only counts. */
export const retentionRunCommand: CliCommand = {
  name: 'retention:run',
  usage: 'retention:run [--dry-run]   (erases clients with no activity for RETENTION_MONTHS; counts by organization)',
  options: [],
  flags: ['dry-run'],
  run: async (app, values) => {
    const retention = app.get(RetentionService);
    if (values['dry-run'] === true) return table(await retention.preview(cliContext()), 'Would erase');
    return table(await retention.run(cliContext()), 'Erased');
  },
};
