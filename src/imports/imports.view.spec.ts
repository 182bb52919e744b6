import type { ImportJob } from './import-job.entity';
import { toImportJobDetail } from './imports.view';

const job = (changes: Partial<ImportJob>): ImportJob =>
  ({
    id: '6f1c2a52-3b0e-4b43-9a55-8b0c7a4ad1f0',
    organizationId: 'x',
    kind: 'contacts',
    status: 'validating',
    source: 'web',
    createdById: null,
    createdByName: 'worker',
    format: 'csv',
    rowCount: null,
    badRowCount: 0,
    badRows: [],
    created: {},
    problem: null,
    createdAt: new Date('2026-01-01T00:00:00Z'),
    finishedAt: null,
    ...changes,
  }) as ImportJob;

const checkingProgress = () => ({
  phase: 'validating' as const,
  rowsChecked: 0,
  rowsSaved: 0,
  rowCount: null,
  bytesRead: 0,
  fileBytes: 10,
});

describe('import job page', () => {
  it('measures the check by the part of the file read, and the save by rows saved of the total', () => {
    const checking = toImportJobDetail(job({ status: 'validating' }), {
      phase: 'validating',
      rowsChecked: 1200,
      rowsSaved: 0,
      rowCount: null,
      bytesRead: 300,
      fileBytes: 1200,
    });
    expect(checking.progress).toMatchObject({
      validating: true,
      rowsChecked: 1200,
      bar: { value: 300, max: 1200, percent: 25 },
    });
    const saving = toImportJobDetail(job({ status: 'importing', rowCount: 4000 }), {
      phase: 'importing',
      rowsChecked: 4000,
      rowsSaved: 3000,
      rowCount: 4000,
      bytesRead: 1200,
      fileBytes: 1200,
    });
    expect(saving.progress).toMatchObject({
      importing: true,
      rowsSaved: 3000,
      rowCount: 4000,
      bar: { value: 3000, max: 4000, percent: 75 },
    });
    expect(saving.running).toBe(true);
    // The live phase wins over the stored status, which lags behind it.
    expect(toImportJobDetail(job({ status: 'queued' }), { ...checkingProgress(), phase: 'validating' }).statusKey).toBe(
      'imports.statuses.validating',
    );
  });

  it('shows no progress once finished, and bad rows with their columns, positions or the whole row', () => {
    const done = toImportJobDetail(
      job({
        status: 'rejected',
        badRowCount: 3,
        badRows: [
          { row: 1, problems: [{ column: '#9', reason: 'unexpected_column' }] },
          { row: 4, problems: [{ column: null, reason: 'extra_values' }] },
        ],
      }),
      undefined,
    );
    expect(done.running).toBe(false);
    expect(done.progress).toBeNull();
    expect(done.rejected).toMatchObject({ badRowCount: 3, shown: 2, more: true });
    expect(done.rejected?.badRows).toEqual([
      { row: 1, problems: [{ position: '9', reasonKey: 'imports.reasons.unexpected_column' }] },
      { row: 4, problems: [{ wholeRow: true, reasonKey: 'imports.reasons.extra_values' }] },
    ]);
  });
});
