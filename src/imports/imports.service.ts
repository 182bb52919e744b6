import { rm, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AuditContext, AuditService } from '../audit/audit.service';
import type { Actor } from '../auth/actor';
import { Clock, localDay } from '../clock/clock';
import { ConsentNoticesService } from '../consent-notices/consent-notices.service';
import { isUniqueViolation } from '../database/errors';
import { DistrictsService } from '../geography/districts.service';
import { ClientDataKeys } from '../privacy/client-data-keys';
import { UicHasher } from '../privacy/client-code';
import { ProvidersService } from '../providers/providers.service';
import { checkHeader, Header, isBlank, mapRow } from './data-rows';
import type { ImportJob } from './import-job.entity';
import { BAD_ROWS_KEPT, BadRow, Failure, FileProblem, ImportKind, ImportSource, RowProblem } from './import-kinds';
import { BATCH_ROWS, ChangedDuringImportError, WRITERS } from './import-writers';
import { ImportsRepository } from './imports.repository';
import { KIND_ROWS } from './kinds';
import type { KindRows, RowContext } from './kinds/kind-rows';
import { detectFormat, MalformedRowError, openTable, TableFormat, UnreadableFileError } from './table-reader';

/** Where a running job stands; kept in memory by the process running it (the database sees phase changes). */
export interface ImportProgress {
  phase: 'queued' | 'validating' | 'importing';
  rowsChecked: number;
  rowsSaved: number;
  rowCount: number | null;
  bytesRead: number;
  fileBytes: number;
}

export type ImportOutcome =
  | { status: 'completed'; rowCount: number; created: Record<string, number> }
  | {
      status: 'rejected';
      rowCount: number | null;
      badRowCount: number;
      badRows: BadRow[];
      problem: FileProblem | null;
    }
  | { status: 'failed'; failure: Failure };

export interface ImportOptions {
  /** Called with every bad row, in file order (the command line prints them all; a job keeps the first ones). */
  onBadRow?: (bad: BadRow) => void;
}

/** What the validation pass found. */
interface Validation {
  problem: FileProblem | null;
  rowCount: number;
  badRowCount: number;
  badRows: BadRow[];
  /** Code hash → client id, for the kinds whose rows name registered clients. */
  clientIds: Map<string, string>;
}

class ImportInterruptedError extends Error {}

export class UnsupportedKindError extends Error {}

/** Uploaded files wait for their job here: under the system's temporary directory, never DATA_DIR or the repo. */
export const jobFilePath = (jobId: string) => join(tmpdir(), `nhip-cau-import-${jobId}`);

const SYSTEM_CONTEXT: AuditContext = {
  actorUserId: null,
  actorName: 'system',
  actorRole: null,
  organizationId: null,
  ipAddress: null,
};

/**
 * Imports of legacy registers (MISSION §6). Two streaming passes over the file, so memory stays flat
 * however long it is:
 * 1. validation: every row is checked (clients looked up by code hash in batches); only the bad rows
 *    (the first BAD_ROWS_KEPT of them, plus a count) and the hashes of the clients named are kept;
 * 2. if no row is bad, every row is inserted in ONE transaction (all or nothing), in multi-row
 *    batches, every statement through that transaction (the embedded database has one connection).
 * The raw `uic` column is normalized and hashed as each row is read, and goes no further.
 *
 * Web jobs run in the background of this process, one at a time; the command line runs its job at once.
 */
@Injectable()
export class ImportsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Imports');
  private readonly progress = new Map<string, ImportProgress>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly importsRepository: ImportsRepository,
    private readonly uicHasher: UicHasher,
    private readonly dataKeys: ClientDataKeys,
    private readonly districtsService: DistrictsService,
    private readonly providersService: ProvidersService,
    private readonly consentNotices: ConsentNoticesService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
    private readonly httpAdapterHost: HttpAdapterHost,
  ) {}

  /**
   * Jobs a restart interrupted are marked failed (nothing of theirs was saved: the transaction died
   * with the process) and their files deleted. Only the web server does this: the command line may
   * run while a web server is importing.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.httpAdapterHost.httpAdapter) return;
    for (const job of await this.importsRepository.listUnfinished()) {
      await this.fail(job, SYSTEM_CONTEXT, 'interrupted');
      await rm(jobFilePath(job.id), { force: true });
    }
  }

  /** On shutdown the running job stops at its next row and rolls back; queued ones end as interrupted. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.queue;
  }

  /**
   * Starts an import of an uploaded file into the actor's organization: the job is created, takes the
   * file over, and waits its turn in the background. The caller shows the job's page.
   */
  async start(actor: Actor, context: AuditContext, kind: ImportKind, uploadPath: string): Promise<ImportJob> {
    if (!KIND_ROWS[kind]) throw new UnsupportedKindError();
    const job = await this.importsRepository.createJob({
      organizationId: actor.organizationId,
      kind,
      source: 'web',
      createdById: actor.userId,
      createdByName: actor.username,
    });
    const path = jobFilePath(job.id);
    try {
      await rename(uploadPath, path);
    } catch (error) {
      await this.fail(job, context, 'error');
      throw error;
    }
    this.progress.set(job.id, newProgress());
    this.queue = this.queue.then(() => this.run(job, path, context, { deleteFile: true }));
    return job;
  }

  /** The command line: imports a file into an organization now, and says how it went. The file is left as it was. */
  async importFile(
    context: AuditContext,
    organizationId: string,
    kind: ImportKind,
    path: string,
    options: ImportOptions = {},
  ): Promise<{ job: ImportJob; outcome: ImportOutcome }> {
    return this.importWith(context, organizationId, kind, path, 'cli', options);
  }

  /** The same pipeline, run at once from any source (the command line, the benchmark). */
  async importWith(
    context: AuditContext,
    organizationId: string,
    kind: ImportKind,
    path: string,
    source: ImportSource,
    options: ImportOptions = {},
  ): Promise<{ job: ImportJob; outcome: ImportOutcome }> {
    if (!KIND_ROWS[kind]) throw new UnsupportedKindError();
    const job = await this.importsRepository.createJob({
      organizationId,
      kind,
      source,
      createdById: context.actorUserId,
      createdByName: context.actorName,
    });
    const outcome = await this.run(job, path, context, { deleteFile: false, ...options });
    return { job, outcome };
  }

  /** A job of the actor's organization (404 for any other). */
  async getForActor(actor: Actor, id: string): Promise<ImportJob> {
    const job = await this.importsRepository.findInOrganization(actor.organizationId, id);
    if (!job) throw new NotFoundException();
    return job;
  }

  /** Live progress of a job running in this process, if it is running. */
  progressOf(jobId: string): ImportProgress | undefined {
    const progress = this.progress.get(jobId);
    return progress && { ...progress };
  }

  listRecent(actor: Actor, limit = 20): Promise<ImportJob[]> {
    return this.importsRepository.listRecent(actor.organizationId, limit);
  }

  private async run(
    job: ImportJob,
    path: string,
    context: AuditContext,
    options: ImportOptions & { deleteFile: boolean },
  ): Promise<ImportOutcome> {
    const progress = this.progress.get(job.id) ?? newProgress();
    this.progress.set(job.id, progress);
    try {
      return await this.execute(job, path, context, progress, options.onBadRow);
    } catch (error) {
      const failure: Failure =
        error instanceof ImportInterruptedError
          ? 'interrupted'
          : error instanceof ChangedDuringImportError || isUniqueViolation(error)
            ? 'conflict'
            : 'error';
      if (failure === 'error') {
        // The error's name and code only: a database message may quote a value of the file.
        const code = (error as { code?: unknown }).code;
        this.logger.error(
          `Import ${job.id} failed: ${(error as Error)?.name ?? 'Error'}${code ? ` (${String(code)})` : ''}`,
        );
      }
      await this.fail(job, context, failure).catch(() => undefined);
      return { status: 'failed', failure };
    } finally {
      this.progress.delete(job.id);
      if (options.deleteFile) await rm(path, { force: true });
    }
  }

  private async execute(
    job: ImportJob,
    path: string,
    context: AuditContext,
    progress: ImportProgress,
    onBadRow?: (bad: BadRow) => void,
  ): Promise<ImportOutcome> {
    const rows = KIND_ROWS[job.kind];
    const writerOf = WRITERS[job.kind];
    if (!rows || !writerOf) throw new UnsupportedKindError();
    this.checkStopping();
    progress.phase = 'validating';
    const format = await detectFormat(path);
    await this.importsRepository.updateJob(job.id, {
      status: 'validating',
      format: format === 'csv' || format === 'xlsx' ? format : null,
    });
    if (format !== 'csv' && format !== 'xlsx') return this.reject(job, context, emptyValidation(format));

    const ctx: RowContext = {
      today: localDay(this.clock.now()),
      districts: new Set((await this.districtsService.listAll()).map((d) => d.code)),
      hashUic: (code) => this.uicHasher.hash(code),
    };
    const validation = await this.validate(job, path, format, rows, ctx, progress, onBadRow);
    if (validation.problem || validation.badRowCount > 0) return this.reject(job, context, validation);
    if (validation.rowCount === 0) return this.reject(job, context, { ...validation, problem: 'no_rows' });

    progress.phase = 'importing';
    progress.rowCount = validation.rowCount;
    await this.importsRepository.updateJob(job.id, { status: 'importing', rowCount: validation.rowCount });
    const consentNoticeVersion = (await this.consentNotices.current()).version;
    const created = await this.dataSource.transaction(async (tx) => {
      const clientIds = [...validation.clientIds.values()];
      if (!(await this.importsRepository.lockActiveClients(tx, job.organizationId, clientIds))) {
        throw new ChangedDuringImportError(); // a client was merged, erased or restricted since the check
      }
      const writer = writerOf({
        tx,
        repository: this.importsRepository,
        organizationId: job.organizationId,
        consentNoticeVersion,
        clientIds: validation.clientIds,
        newWrappedKey: () => this.dataKeys.newWrappedKey(),
        addProviderForReview: async (name, domain, serviceType) =>
          (await this.providersService.findOrAddForImport(tx, context, name, domain, serviceType)).id,
      });
      const saved = await this.forEachRow(path, format, rows, async (row, cells) => {
        if (!cells) throw new ChangedDuringImportError();
        const mapped = mapRow(cells, row.header);
        const checked = rows.check(mapped.cells, ctx);
        if (mapped.problems.length || !checked.ok) throw new ChangedDuringImportError();
        await writer.add(checked.row, checked.uicHash);
        progress.rowsSaved++;
      });
      if (saved.rowCount !== validation.rowCount) throw new ChangedDuringImportError();
      const created = await writer.finish();
      await this.importsRepository.updateJob(
        job.id,
        { status: 'completed', rowCount: validation.rowCount, created, finishedAt: this.clock.now() },
        tx,
      );
      await this.auditService.record(tx, context, {
        action: 'import.completed',
        target: { type: 'import_job', id: job.id },
        organizationId: job.organizationId,
        details: { kind: job.kind, rows: validation.rowCount, created },
      });
      return created;
    });
    return { status: 'completed', rowCount: validation.rowCount, created };
  }

  /** The first pass: every row checked, only bad rows and the clients' ids kept. */
  private async validate(
    job: ImportJob,
    path: string,
    format: TableFormat,
    rows: KindRows<unknown>,
    ctx: RowContext,
    progress: ImportProgress,
    onBadRow?: (bad: BadRow) => void,
  ): Promise<Validation> {
    const validation: Validation = { problem: null, rowCount: 0, badRowCount: 0, badRows: [], clientIds: new Map() };
    const addBad = (bad: BadRow) => {
      validation.badRowCount++;
      if (validation.badRows.length < BAD_ROWS_KEPT) validation.badRows.push(bad);
      onBadRow?.(bad);
    };
    const unknownHashes = new Set<string>();
    const restrictedHashes = new Set<string>();
    const uniqueKeys = new Set<string>();
    // Rows wait here until their clients are looked up (one query per batch), then are judged in file order.
    let pending: Array<{ row: number; problems: RowProblem[]; uicHash: string | null }> = [];

    const settle = async () => {
      const hashes = [...new Set(pending.flatMap((p) => (p.problems.length || !p.uicHash ? [] : [p.uicHash])))];
      if (rows.client === 'existing') {
        const lookup = hashes.filter(
          (h) => !validation.clientIds.has(h) && !unknownHashes.has(h) && !restrictedHashes.has(h),
        );
        const found = await this.importsRepository.activeClientsByHash(job.organizationId, lookup);
        for (const hash of lookup) {
          const client = found.get(hash);
          if (!client) unknownHashes.add(hash);
          else if (client.restricted) restrictedHashes.add(hash);
          else validation.clientIds.set(hash, client.id);
        }
        // Another organization's client is "no such client" too: nothing says it exists elsewhere.
        for (const p of pending) {
          if (!p.problems.length && p.uicHash && unknownHashes.has(p.uicHash)) {
            p.problems.push({ column: 'uic', reason: 'no_such_client' });
          }
          if (!p.problems.length && p.uicHash && restrictedHashes.has(p.uicHash)) {
            p.problems.push({ column: 'uic', reason: 'client_restricted' });
          }
        }
      } else {
        const registered = await this.importsRepository.registeredHashes(job.organizationId, hashes);
        for (const p of pending) {
          if (!p.problems.length && p.uicHash && registered.has(p.uicHash)) {
            p.problems.push({ column: 'uic', reason: 'already_registered' });
          }
        }
      }
      for (const p of pending) if (p.problems.length) addBad({ row: p.row, problems: p.problems });
      pending = [];
    };

    try {
      const read = await this.forEachRow(
        path,
        format,
        rows,
        async (row, cells) => {
          if (!cells) {
            addBad({ row: row.row, problems: row.problems });
            return;
          }
          const mapped = mapRow(cells, row.header);
          const checked = rows.check(mapped.cells, ctx);
          const problems = [...mapped.problems, ...(checked.ok ? [] : checked.problems)];
          let uicHash: string | null = null;
          if (checked.ok && problems.length === 0) {
            uicHash = checked.uicHash;
            const unique = rows.uniqueKey?.(checked.row, checked.uicHash);
            if (unique && uniqueKeys.has(unique.key))
              problems.push({ column: unique.column, reason: 'repeated_in_file' });
            else if (unique) uniqueKeys.add(unique.key);
          }
          pending.push({ row: row.row, problems, uicHash });
          progress.rowsChecked++;
          if (pending.length >= BATCH_ROWS) await settle();
        },
        (bytesRead, fileBytes) => {
          progress.bytesRead = bytesRead;
          progress.fileBytes = fileBytes;
        },
      );
      await settle();
      validation.rowCount = read.rowCount;
      validation.problem = read.problem;
    } catch (error) {
      if (error instanceof MalformedRowError) {
        await settle();
        validation.rowCount = progress.rowsChecked;
        addBad({ row: error.row, problems: [{ column: null, reason: 'malformed' }] });
      } else if (error instanceof UnreadableFileError) {
        validation.problem = error.problem;
      } else {
        throw error;
      }
    }
    return validation;
  }

  /**
   * Reads the file once: finds the header (the first non-blank row), then hands every non-blank data
   * row to `onRow`. A bad header is handed over once, without cells, and ends the reading.
   */
  private async forEachRow(
    path: string,
    format: TableFormat,
    rows: KindRows<unknown>,
    onRow: (
      row: { row: number; header: Header; problems: RowProblem[] },
      cells: readonly string[] | null,
    ) => Promise<void>,
    onProgress?: (bytesRead: number, fileBytes: number) => void,
  ): Promise<{ rowCount: number; problem: FileProblem | null }> {
    const source = await openTable(path, format);
    let header: Header | null = null;
    let rowCount = 0;
    try {
      for await (const { row, cells } of source.rows) {
        this.checkStopping();
        onProgress?.(source.bytesRead(), source.fileBytes);
        if (isBlank(cells)) continue;
        if (!header) {
          const checked = checkHeader(cells, rows.headers);
          if (checked.ok) {
            header = checked.header;
            continue;
          }
          if ('problem' in checked) return { rowCount: 0, problem: checked.problem };
          await onRow({ row, header: { columns: new Map() }, problems: checked.problems }, null);
          return { rowCount: 0, problem: null };
        }
        rowCount++;
        await onRow({ row, header, problems: [] }, cells);
      }
    } finally {
      source.close();
    }
    return { rowCount, problem: header ? null : 'empty_file' };
  }

  private async reject(job: ImportJob, context: AuditContext, validation: Validation): Promise<ImportOutcome> {
    await this.dataSource.transaction(async (tx) => {
      await this.importsRepository.updateJob(
        job.id,
        {
          status: 'rejected',
          rowCount: validation.rowCount,
          badRowCount: validation.badRowCount,
          badRows: validation.badRows,
          problem: validation.problem,
          finishedAt: this.clock.now(),
        },
        tx,
      );
      await this.auditService.record(tx, context, {
        action: 'import.rejected',
        target: { type: 'import_job', id: job.id },
        organizationId: job.organizationId,
        details: {
          kind: job.kind,
          badRows: validation.badRowCount,
          ...(validation.problem ? { problem: validation.problem } : {}),
        },
      });
    });
    return {
      status: 'rejected',
      rowCount: validation.rowCount,
      badRowCount: validation.badRowCount,
      badRows: validation.badRows,
      problem: validation.problem,
    };
  }

  private async fail(job: Pick<ImportJob, 'id' | 'organizationId' | 'kind'>, context: AuditContext, failure: Failure) {
    await this.dataSource.transaction(async (tx) => {
      await this.importsRepository.updateJob(
        job.id,
        { status: 'failed', problem: failure, finishedAt: this.clock.now() },
        tx,
      );
      await this.auditService.record(tx, context, {
        action: 'import.rejected',
        outcome: 'failure',
        target: { type: 'import_job', id: job.id },
        organizationId: job.organizationId,
        details: { kind: job.kind, failure },
      });
    });
  }

  private checkStopping(): void {
    if (this.stopping) throw new ImportInterruptedError();
  }
}

const newProgress = (): ImportProgress => ({
  phase: 'queued',
  rowsChecked: 0,
  rowsSaved: 0,
  rowCount: null,
  bytesRead: 0,
  fileBytes: 0,
});

const emptyValidation = (problem: FileProblem): Validation => ({
  problem,
  rowCount: 0,
  badRowCount: 0,
  badRows: [],
  clientIds: new Map(),
});
