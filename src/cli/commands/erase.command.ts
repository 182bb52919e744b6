import { cliContext } from '../../audit/audit.service';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ClientEraseArgs, erasureReasonOf } from '../../erasure/erasure.forms';
import { ClientErasureService, ErasureRefusedError } from '../../erasure/erasure.service';
import { RetentionCounts, RetentionService } from '../../erasure/retention.service';
import { translate } from '../../i18n/i18n';
import { OrganizationsService } from '../../organizations/organizations.service';
import { programDay } from '../../web/days';
import { isUuid } from '../../web/form-rules';
import { CliCommand, UsageError, validated } from '../command';

/**
 * `client:erase`: the same erasure as the client page (MISSION §6), audited as the OS user. The raw code
 * is hashed at once and never printed; the answer names the client by nothing but the fact.
 */
export const clientEraseCommand: CliCommand = {
  name: 'client:erase',
  usage: `client:erase --uic RAW --org CODE --reason "TEXT"   (TEXT: client_request, consent_withdrawn, recorded_in_error, other, or a few words)`,
  options: ['uic', 'org', 'reason'],
  run: async (app, values) => {
    const args = await validated(ClientEraseArgs, values);
    const organization = await app.get(OrganizationsService).findByCode(args.org.toLowerCase());
    if (!organization) throw new UsageError(`--org: no organization has the code ${args.org}`);
    const erasure = app.get(ClientErasureService);
    const clientId = await erasure.findByUic(organization.id, args.uic);
    if (!clientId) throw new UsageError(`--uic: ${translate('en', 'erasure.errors.noSuchClient')}`);
    try {
      const { reason, words } = erasureReasonOf(args.reason);
      const done = await erasure.erase({ ...cliContext(), organizationId: organization.id }, clientId, reason, words);
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

const REGISTER_HEADER = [
  '# Nhịp Cầu erasure register: tombstone id, erased at (UTC). Keep it with the backups; after a restore:',
  '#   npm run cli -- erasures:reapply THIS_FILE',
];

/** `erasures:list [--since DATE]`: the erasure register (SECURITY.md §4), ids and times only. */
export const erasuresListCommand: CliCommand = {
  name: 'erasures:list',
  usage:
    'erasures:list [--since YYYY-MM-DD]   (every erased client: tombstone id and time, for the erasure register kept with the backups)',
  options: ['since'],
  run: async (app, values) => {
    const since = values.since === undefined ? null : programDay(values.since);
    if (values.since !== undefined && !since) throw new UsageError('--since: a day written YYYY-MM-DD');
    const records = await app.get(ClientErasureService).register(cliContext(), since);
    return [...REGISTER_HEADER, ...records.map((r) => `${r.clientId}\t${r.erasedAt.toISOString()}`)].join('\n');
  },
};

/** Every tombstone id of a register file, or every line that is not one (nothing is erased then). */
export function parseRegister(text: string): { ids: string[]; bad: string[] } {
  const ids: string[] = [];
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const content = line.trim();
    if (content === '' || content.startsWith('#')) return;
    const id = content.split(/\s+/)[0];
    if (isUuid(id)) ids.push(id.toLowerCase());
    else bad.push(`  line ${i + 1}: not a tombstone id`);
  });
  return { ids, bad };
}

/** `erasures:reapply FILE`: after a restore, erases again every client of the register back in this copy. */
export const erasuresReapplyCommand: CliCommand = {
  name: 'erasures:reapply',
  usage:
    'erasures:reapply FILE   (FILE: the output of erasures:list; erases again the listed clients that a restore brought back)',
  options: [],
  positionals: true,
  run: async (app, _values, positionals) => {
    if (positionals.length !== 1 || !positionals[0])
      throw new UsageError('Usage: npm run cli -- erasures:reapply FILE');
    const file = resolve(positionals[0]);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new UsageError(`Cannot read ${file}.`);
    }
    const { ids, bad } = parseRegister(text);
    if (bad.length > 0) throw new UsageError(`Not an erasure register, nothing was erased:\n${bad.join('\n')}`);
    if (ids.length === 0) throw new UsageError('The register lists no client: nothing to do.');
    const done = await app.get(ClientErasureService).reapply(cliContext(), ids);
    return [
      `Erasure register applied: ${done.erased} client(s) erased again,`,
      `${done.alreadyErased} already erased, ${done.absent} not in this database, ${done.merged} merged into another record.`,
    ].join(' ');
  },
};
