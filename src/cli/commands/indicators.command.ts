import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { cliContext } from '../../audit/audit.service';
import { EXPORT_FORMATS, ExportFormat, toCsv, toXlsx } from '../../indicators/indicator-files';
import { parsePeriod } from '../../indicators/indicator-period';
import { checkExportReason } from '../../indicators/indicators.forms';
import { IndicatorsService } from '../../indicators/indicators.service';
import { translate } from '../../i18n/i18n';
import { OrganizationsService } from '../../organizations/organizations.service';
import { isOneOf } from '../../reference/codes';
import { CliCommand, UsageError } from '../command';

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

/**
 * The indicator export of MISSION §6 for a period, the whole program or one organization: CSV on
 * standard output (or in --out), XLSX in --out. Suppressed unless --unsuppressed with a --reason;
 * audited as the OS user, like the web export.
 */
export const indicatorsCommand: CliCommand = {
  name: 'indicators',
  usage:
    'indicators --from DATE --to DATE [--org CODE] [--format csv|xlsx] [--out FILE] [--unsuppressed --reason "TEXT"]',
  options: ['from', 'to', 'org', 'format', 'out', 'reason'],
  flags: ['unsuppressed'],
  run: async (app, values) => {
    const service = app.get(IndicatorsService);
    if (!text(values.from) || !text(values.to))
      throw new UsageError('--from and --to: both days are required (YYYY-MM-DD)');
    const parsed = parsePeriod({ period: 'custom', from: values.from, to: values.to }, service.today());
    if (!parsed.ok)
      throw new UsageError(`--${parsed.field === 'period' ? 'from' : parsed.field}: ${translate('en', parsed.error)}`);
    const format = text(values.format) ?? 'csv';
    if (!isOneOf(EXPORT_FORMATS, format)) throw new UsageError(`--format: one of ${EXPORT_FORMATS.join(', ')}`);
    const out = text(values.out);
    if (format === 'xlsx' && !out) throw new UsageError('--out: an XLSX export is written to a file');
    const unsuppressed = values.unsuppressed === true;
    const reason = text(values.reason) ?? null;
    if (!unsuppressed && reason) throw new UsageError('--reason: only with --unsuppressed');
    if (unsuppressed) {
      const problem = checkExportReason(reason ?? '');
      if (problem) throw new UsageError(`--reason: ${translate('en', problem)}`);
    }
    let organizationId: string | null = null;
    const code = text(values.org);
    if (code !== undefined) {
      const organization = await app.get(OrganizationsService).findByCode(code);
      if (!organization) throw new UsageError(`--org: no organization has the code ${code}`);
      organizationId = organization.id;
    }
    const scope = await service.scopeFor('program', organizationId);
    const rows = await service.export({ ...cliContext(), organizationId }, scope, parsed.period, {
      format: format as ExportFormat,
      unsuppressed,
      reason,
    });
    const content = format === 'xlsx' ? await toXlsx(rows) : toCsv(rows);
    if (!out) return (content as string).replace(/\r\n$/, '');
    await writeFile(resolve(out), content);
    return `${rows.length} indicator rows written to ${out} (${unsuppressed ? 'unsuppressed' : 'suppressed'}).`;
  },
};
