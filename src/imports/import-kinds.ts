/**
 * The import vocabulary: the file kinds of MISSION §6, job statuses, and the closed list of reasons a
 * row or a file is refused. Reasons are codes (labels are `imports.reasons.*` in src/i18n) and never
 * carry a value read from the file: a bad `uic` must not be shown back, and any cell may hold text that
 * should never have been written down.
 */

/** Every file format of MISSION §6. A kind is offered once it has a row handler (see kinds/index.ts). */
export const IMPORT_KINDS = ['clients', 'assessments', 'contacts', 'referrals'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_STATUSES = ['queued', 'validating', 'importing', 'completed', 'rejected', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export const FINISHED_STATUSES: readonly ImportStatus[] = ['completed', 'rejected', 'failed'];

export const IMPORT_SOURCES = ['web', 'cli'] as const;
export type ImportSource = (typeof IMPORT_SOURCES)[number];

/** Why one row (or the header row) is refused. */
export const ROW_REASONS = [
  'required',
  'invalid_date',
  'future_date',
  'date_too_early',
  'unknown_district',
  'unknown_code',
  'not_whole_number',
  'negative',
  'too_large',
  'birth_year_range',
  'birth_year_mismatch',
  'invalid_uic',
  'no_such_client',
  'client_restricted',
  'already_registered',
  'repeated_in_file',
  'service_type_not_in_domain',
  'before_referred_on',
  'too_long',
  'identifier',
  'extra_values',
  'not_utf8',
  'malformed',
  'missing_column',
  'unexpected_column',
  'repeated_column',
] as const;
export type RowReason = (typeof ROW_REASONS)[number];

/** Why a whole file is refused before any row could be read. */
export const FILE_PROBLEMS = [
  'empty_file',
  'no_rows',
  'unsupported_format',
  'not_utf8',
  'wrong_delimiter',
  'unreadable',
] as const;
export type FileProblem = (typeof FILE_PROBLEMS)[number];

/** Why a job stopped without a verdict on the file (nothing was saved). */
export const FAILURES = ['interrupted', 'conflict', 'error'] as const;
export type Failure = (typeof FAILURES)[number];

/** One problem in a row: the column (its header name, `#n` for a column without a known name, null for the
 *  whole row) and a reason code, optionally with placeholders ("too_large|max=10000"). */
export interface RowProblem {
  column: string | null;
  reason: string;
}

export interface BadRow {
  /** The row number as a spreadsheet shows it (the header is row 1 when it is the first row). */
  row: number;
  problems: RowProblem[];
}

/** The bad rows kept on a job and shown on its page; the rest are counted (the CLI prints them all). */
export const BAD_ROWS_KEPT = 1000;

/** Largest upload accepted by the web page. */
export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
