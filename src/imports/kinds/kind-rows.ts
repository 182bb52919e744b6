import type { ImportKind, RowProblem } from '../import-kinds';

/** What checking a row needs to know about the world. */
export interface RowContext {
  /** Today in the Hanoi calendar (YYYY-MM-DD). */
  today: string;
  /** Every district code of the geography (legacy registers may name districts since made inactive). */
  districts: ReadonlySet<string>;
  /** Keyed hash of a normalized client code (UicHasher). */
  hashUic: (code: string) => string;
}

/** One data row, by header name; cells are trimmed text ('' when empty). */
export type Cells = Readonly<Record<string, string>>;

export type CheckedRow<R> = { ok: true; row: R; uicHash: string } | { ok: false; problems: RowProblem[] };

/**
 * The rows of one import kind: its exact headers and the checks of one row on its own. Checks that
 * need the database (is the client registered?) and the rest of the file (repeats) are described here
 * and run by the service.
 */
export interface KindRows<R> {
  kind: ImportKind;
  headers: readonly string[];
  /** `existing`: each row's client must be registered in the organization; `new`: must not be. */
  client: 'existing' | 'new';
  check(cells: Cells, ctx: RowContext): CheckedRow<R>;
  /** A key that must not repeat within the file, and the column blamed when it does. */
  uniqueKey?: (row: R, uicHash: string) => { key: string; column: string };
}

/** Collects per-column results: the values when every column is good, else one problem per bad column. */
export class RowChecker {
  readonly problems: RowProblem[] = [];

  take<T>(column: string, cell: { ok: true; value: T } | { ok: false; reason: string }): T {
    if (cell.ok) return cell.value;
    this.problems.push({ column, reason: cell.reason });
    return undefined as T;
  }

  blame(column: string, reason: string): void {
    this.problems.push({ column, reason });
  }
}
