import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cliContext } from '../../audit/audit.service';
import { translate } from '../../i18n/i18n';
import { BadRow, IMPORT_KINDS } from '../../imports/import-kinds';
import { ImportsService } from '../../imports/imports.service';
import { isSupportedKind, SUPPORTED_KINDS } from '../../imports/kinds';
import { OrganizationsService } from '../../organizations/organizations.service';
import { isOneOf } from '../../reference/codes';
import { CliCommand, UsageError } from '../command';

/**
 * The file was rejected: every bad row was printed, nothing was saved. Exit status 2, like any input
 * the command refuses (an import that failed for another reason exits with 1).
 */
export class ImportRejectedError extends UsageError {}

/** "key|name=value" reason codes, in English. */
const explain = (key: string): string => {
  const [messageKey, ...pairs] = key.split('|');
  return translate('en', messageKey, Object.fromEntries(pairs.map((p) => p.split('='))));
};

/** `row 7: uic: Invalid code.` — row numbers and reasons only, never a value of the file. */
export function describeBadRow(bad: BadRow): string {
  return bad.problems
    .map((p) => {
      const column =
        p.column === null ? '' : p.column.startsWith('#') ? `column ${p.column.slice(1)}: ` : `${p.column}: `;
      return `row ${bad.row}: ${column}${explain(`imports.reasons.${p.reason}`)}`;
    })
    .join('\n');
}

export const importCommand: CliCommand = {
  name: 'import',
  usage: `import KIND FILE --org CODE   (KIND: ${SUPPORTED_KINDS.join(', ')}; CSV or XLSX; when the file is rejected, every bad row is printed, nothing is saved and the exit status is 2)`,
  options: ['org'],
  positionals: true,
  run: async (app, values, positionals) => {
    const [kind, file, ...extra] = positionals;
    if (!kind || !file || extra.length) throw new UsageError('Usage: npm run cli -- import KIND FILE --org CODE');
    if (!isOneOf(IMPORT_KINDS, kind)) throw new UsageError(`KIND: one of ${SUPPORTED_KINDS.join(', ')}`);
    if (!isSupportedKind(kind)) throw new UsageError(`KIND: ${kind} files cannot be imported yet`);
    const code = typeof values.org === 'string' ? values.org : '';
    if (!code) throw new UsageError('--org: the code of the organization to import into is required');
    const organization = await app.get(OrganizationsService).findByCode(code);
    if (!organization?.active) throw new UsageError(`--org: no active organization has the code ${code}`);
    const path = resolve(file);
    try {
      await access(path, constants.R_OK);
      if (!(await stat(path)).isFile()) throw new Error('not a file');
    } catch {
      throw new UsageError(`FILE: cannot read ${file}`);
    }

    const { job, outcome } = await app
      .get(ImportsService)
      .importFile({ ...cliContext(), organizationId: organization.id }, organization.id, kind, path, {
        onBadRow: (bad) => process.stderr.write(`${describeBadRow(bad)}\n`),
      });
    switch (outcome.status) {
      case 'completed': {
        const created = Object.entries(outcome.created)
          .map(([table, n]) => `${n} ${table}`)
          .join(', ');
        return `Imported ${outcome.rowCount} rows of ${kind} into ${organization.code}: ${created} created (import ${job.id}).`;
      }
      case 'rejected':
        throw new ImportRejectedError(
          outcome.problem
            ? `Rejected, nothing saved: ${explain(`imports.problems.${outcome.problem}`)}`
            : `Rejected, nothing saved: ${outcome.badRowCount} bad row(s) of ${outcome.rowCount ?? 0} (listed above).`,
        );
      case 'failed':
        throw new Error(explain(`imports.failures.${outcome.failure}`));
    }
  },
};
