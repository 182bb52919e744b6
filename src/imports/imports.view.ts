import { formatDateTime } from '../web/handlebars-helpers';
import type { ImportJob } from './import-job.entity';
import { BadRow, FINISHED_STATUSES, ImportStatus, MAX_UPLOAD_BYTES } from './import-kinds';
import type { ImportProgress } from './imports.service';
import { KIND_ROWS, SUPPORTED_KINDS } from './kinds';

export const importJobPath = (job: Pick<ImportJob, 'id'>) => `/imports/${job.id}`;

const STATUS_BADGES: Record<ImportStatus, string> = {
  queued: 'text-bg-secondary',
  validating: 'text-bg-info',
  importing: 'text-bg-info',
  completed: 'text-bg-success',
  rejected: 'text-bg-warning',
  failed: 'text-bg-danger',
};

/** The kinds the upload form offers, with the exact header row each expects. */
export const toKindOptions = () =>
  SUPPORTED_KINDS.map((kind) => ({
    value: kind,
    labelKey: `imports.kinds.${kind}`,
    headers: KIND_ROWS[kind]!.headers.join(','),
  }));

export const uploadLimitMegabytes = () => Math.round(MAX_UPLOAD_BYTES / (1024 * 1024));

export const toImportJobRow = (job: ImportJob) => ({
  href: importJobPath(job),
  createdAt: formatDateTime(job.createdAt),
  kindKey: `imports.kinds.${job.kind}`,
  statusKey: `imports.statuses.${job.status}`,
  badge: STATUS_BADGES[job.status],
  rowCount: job.rowCount ?? '—',
  badRowCount: job.badRowCount,
  createdByName: job.createdByName,
});

/** A column as the page names it: the header name, or "column 9" for a column the kind does not know. */
const toColumn = (column: string | null) =>
  column === null ? { wholeRow: true } : column.startsWith('#') ? { position: column.slice(1) } : { name: column };

const toBadRow = (bad: BadRow) => ({
  row: bad.row,
  problems: bad.problems.map((p) => ({ ...toColumn(p.column), reasonKey: `imports.reasons.${p.reason}` })),
});

const percent = (value: number, max: number) => (max > 0 ? Math.min(100, Math.floor((value * 100) / max)) : 0);

/** The job page: where a running job stands (from this process's live progress), or its verdict. */
export function toImportJobDetail(job: ImportJob, progress: ImportProgress | undefined) {
  const running = !FINISHED_STATUSES.includes(job.status);
  const phase = progress?.phase ?? (running ? job.status : null);
  // While it runs, this process's live phase is more recent than the stored status.
  const status: ImportStatus = running && progress ? progress.phase : job.status;
  const bar =
    !running || !progress
      ? null
      : progress.phase === 'importing'
        ? {
            value: progress.rowsSaved,
            max: progress.rowCount ?? 0,
            percent: percent(progress.rowsSaved, progress.rowCount ?? 0),
          }
        : progress.phase === 'validating' && progress.fileBytes > 0
          ? {
              value: progress.bytesRead,
              max: progress.fileBytes,
              percent: percent(progress.bytesRead, progress.fileBytes),
            }
          : null;
  return {
    kindKey: `imports.kinds.${job.kind}`,
    statusKey: `imports.statuses.${status}`,
    badge: STATUS_BADGES[status],
    createdAt: formatDateTime(job.createdAt),
    finishedAt: job.finishedAt ? formatDateTime(job.finishedAt) : null,
    createdByName: job.createdByName,
    format: job.format?.toUpperCase() ?? null,
    running,
    progress: running
      ? {
          queued: phase === 'queued',
          validating: phase === 'validating',
          importing: phase === 'importing',
          rowsChecked: progress?.rowsChecked ?? null,
          rowsSaved: progress?.rowsSaved ?? null,
          rowCount: progress?.rowCount ?? job.rowCount,
          bar,
        }
      : null,
    completed:
      job.status === 'completed'
        ? {
            rowCount: job.rowCount ?? 0,
            created: Object.entries(job.created ?? {}).map(([table, count]) => ({
              labelKey: `imports.created.${table}`,
              count,
            })),
          }
        : null,
    rejected:
      job.status === 'rejected'
        ? {
            problemKey: job.problem ? `imports.problems.${job.problem}` : null,
            badRowCount: job.badRowCount,
            shown: job.badRows.length,
            more: job.badRowCount > job.badRows.length,
            badRows: job.badRows.map(toBadRow),
          }
        : null,
    failed: job.status === 'failed' ? { failureKey: `imports.failures.${job.problem ?? 'error'}` } : null,
  };
}
