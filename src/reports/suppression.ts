/**
 * Small-cell suppression (MISSION §2 rule 6) for any table of counts shown with its row and column
 * totals: the manager pages, the indicator dashboard and the exports. Pure: counts in, display values out.
 *
 * What is protected. A reader sees every shown figure, knows that hidden cells are not zero (zeros are
 * always shown) and knows that every line adds up to its total. A hidden cell is protected when the
 * figures on the screen allow at least two values for it; otherwise it could be worked out from the
 * totals, however many other cells are hidden beside it.
 *
 * A reader may also know part of every count exactly: a manager lists their own organization's
 * referrals one by one, so in a table of several organizations they could subtract their own figures.
 * Given that `known` part, the rest (count − known: the other organizations') is protected the same
 * way: it is hidden when it is from 1 to k−1, and it keeps at least two possible values.
 *
 * The algorithm, on the table extended with its totals ((rows + 1) × (columns + 1) cells):
 * 1. Primary suppression: every count from 1 to k−1, and every count whose unknown part is from 1 to
 *    k−1 (inner cell or total), is hidden.
 * 2. Complementary suppression, repeated until nothing changes:
 *    a. Pairs: a line (a row with its total, a column with its total, the totals row, the totals
 *       column) with exactly one hidden member gives it away (total − the others), so one more member of
 *       that line is hidden: the smallest non-zero shown count, inner cells before totals.
 *    b. Audit: pairs are not enough (two hidden 1s in a row add up to 2, so both are 1; a hidden cell
 *       joining two hidden blocks is fixed by the sums around it). Write the table with signs (inner
 *       cells and the grand total +, row and column totals −): every row and every column then adds up
 *       to 0, and the other tables the reader cannot rule out differ from this one by adding +1/−1
 *       around a cycle of hidden cells (row → column → row …) that leaves every hidden count non-zero
 *       (and every unknown part at 0 or more). A hidden cell is protected when such a cycle goes through
 *       it. For a cell with no cycle, one more count is hidden: the best (in the order of 2a) of its row
 *       or column that gives it a cycle, else the best such count anywhere, else the best of its row or
 *       column (and the loop goes on).
 *    Zeros are never hidden and never used as complements: a zero hides nothing and, being shown as 0,
 *    would be known anyway. Hiding more only adds cycles, so a protected cell stays protected, and the
 *    loop ends: once every non-zero count is hidden, the table itself is a sum of such cycles.
 * 3. Display: every hidden cell, primary or complementary, shows `<k` (the same mark as in exports,
 *    MISSION §6). One mark for both matters: a reader who could tell a complementary cell (always ≥ k)
 *    from a primary one (1..k−1) would get bounds that pin values down again (a hidden 1 beside a hidden
 *    5 summing to 6 would be certain). Pages say in a legend that `<k` may also stand for a count hidden
 *    to protect a small one.
 *
 * What it does not cover: figures derived from hidden cells (a share, a median) must be hidden by the
 * caller with the counts they come from; and two tables of the same facts under different filters can
 * be compared (differencing), which only coarse filters and the audit trail limit.
 */

export type SuppressionReason = 'small' | 'complementary';

/** A count ready to show: the number, or `<k` when hidden (the hidden number is not kept here). */
export type SuppressedCount =
  | { readonly hidden: false; readonly count: number; readonly display: string }
  | { readonly hidden: true; readonly reason: SuppressionReason; readonly display: string };

export interface SuppressedTable {
  /** One list per input row, in the input order. */
  readonly cells: SuppressedCount[][];
  /** The total of each row. */
  readonly rowTotals: SuppressedCount[];
  /** The total of each column. */
  readonly columnTotals: SuppressedCount[];
  /** The grand total. */
  readonly total: SuppressedCount;
}

type Counts = ReadonlyArray<ReadonlyArray<number>>;

export interface SuppressionOptions {
  /** k: counts from 1 to k−1 are hidden (config `reports.suppressionThreshold`, default 5). */
  threshold: number;
  /** The number of columns, needed when the table has no rows; otherwise taken from the rows. */
  columns?: number;
  /**
   * The part of each count the reader knows already (same shape, each ≤ its count), e.g. their own
   * organization's referrals in a table of several organizations. Absent: nothing is known.
   */
  known?: Counts;
}

/** A count from 1 to k−1: too small to show. */
export const isSmallCount = (count: number, threshold: number): boolean => count >= 1 && count < threshold;

export const hiddenMark = (threshold: number): string => `<${threshold}`;

const shown = (count: number): SuppressedCount => ({ hidden: false, count, display: String(count) });
const hiddenAs = (reason: SuppressionReason, threshold: number): SuppressedCount => ({
  hidden: true,
  reason,
  display: hiddenMark(threshold),
});

function checkThreshold(threshold: number): void {
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new RangeError('The suppression threshold is a whole number ≥ 1');
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError('Counts are whole numbers ≥ 0');
}

/** A lone count with no totals beside it (primary suppression only: there is nothing to recover it from). */
export function suppressCount(count: number, threshold: number): SuppressedCount {
  checkThreshold(threshold);
  checkCount(count);
  return isSmallCount(count, threshold) ? hiddenAs('small', threshold) : shown(count);
}

/**
 * Suppresses a table of counts and its totals (computed here from the cells, so they always agree).
 * The same counts, known part and threshold always give the same result.
 */
export function suppressTable(counts: Counts, options: SuppressionOptions): SuppressedTable {
  const { threshold } = options;
  checkThreshold(threshold);
  const columns = counts.length > 0 ? counts[0].length : (options.columns ?? 0);
  const known = options.known ?? counts.map((row) => row.map(() => 0));
  if (known.length !== counts.length) throw new RangeError('The known part has the shape of the table');
  counts.forEach((row, i) => {
    if (row.length !== columns || known[i].length !== columns)
      throw new RangeError('Every row (and the known part) has the same number of columns');
    row.forEach(checkCount);
    known[i].forEach((n, j) => {
      checkCount(n);
      if (n > row[j]) throw new RangeError('A known part is at most its count');
    });
  });
  // The cycle search walks the short side of the table: a wide table is suppressed on its side.
  const wide = counts.length > 0 && columns > counts.length;
  const turn = (table: Counts) => (wide ? table[0].map((_, j) => table.map((row) => row[j])) : table);
  const grid = new Grid(turn(counts), turn(known), wide ? counts.length : columns);
  grid.suppress(threshold);
  const at = (i: number, j: number) => {
    const [gi, gj] = wide ? [j, i] : [i, j];
    const reason = grid.reason[gi][gj];
    return reason ? hiddenAs(reason, threshold) : shown(grid.value[gi][gj]);
  };
  const rows = counts.length;
  return {
    cells: counts.map((_, i) => Array.from({ length: columns }, (_2, j) => at(i, j))),
    rowTotals: counts.map((_, i) => at(i, columns)),
    columnTotals: Array.from({ length: columns }, (_, j) => at(rows, j)),
    total: at(rows, columns),
  };
}

/** A cell of the extended table: [row, column]. */
type Position = readonly [number, number];

/**
 * What a reader can rule out, as arcs of the cycle search: a hidden cell [i, j] is an arc row i →
 * column j when it may take +1 (seen with its sign) and column j → row i when it may take −1.
 * `up` and `down` are flat (row-major) arrays; `links[a × width + b]` counts the rows that lead from
 * column a to column b (a hidden cell that may take −1, then one that may take +1).
 */
interface Moves {
  up: Uint8Array;
  down: Uint8Array;
  links: Int32Array;
}

/** The table, its known part and the rest, each extended with its totals. */
function extended(counts: Counts, columns: number): number[][] {
  const columnTotals = Array.from({ length: columns }, (_, j) => counts.reduce((sum, row) => sum + row[j], 0));
  return [
    ...counts.map((row) => [...row, row.reduce((sum, n) => sum + n, 0)]),
    [...columnTotals, columnTotals.reduce((sum, n) => sum + n, 0)],
  ];
}

/**
 * The table extended with its totals: row `rows` holds the column totals, column `columns` the row
 * totals, and [rows][columns] the grand total. In the cycle search, node i is row i and node
 * `height + j` is column j.
 */
class Grid {
  readonly value: number[][];
  readonly reason: Array<Array<SuppressionReason | null>>;
  /** The part of each count the reader does not know. */
  private readonly unknown: number[][];
  /** The lines of the extended table: its `height` rows (totals row last) and `width` columns. */
  private readonly height: number;
  private readonly width: number;
  /** A reader who knows nothing else: hidden counts stay ≥ 1. */
  private readonly counts: Moves;
  /** A reader who knows the known part: hidden counts stay ≥ 1 and their unknown parts ≥ 0. */
  private readonly rest: Moves;
  /** The hidden cells of each row (their columns) and of each column (their rows). */
  private readonly hiddenInRow: number[][];
  private readonly hiddenInColumn: number[][];
  private readonly isProtected: boolean[][];

  constructor(counts: Counts, known: Counts, columns: number) {
    this.value = extended(counts, columns);
    const knownPart = extended(known, columns);
    this.unknown = this.value.map((row, i) => row.map((v, j) => v - knownPart[i][j]));
    this.height = counts.length + 1;
    this.width = columns + 1;
    this.counts = this.moves(false);
    this.rest = this.moves(true);
    this.reason = this.value.map((row) => row.map(() => null));
    this.isProtected = this.value.map((row) => row.map(() => false));
    this.hiddenInRow = this.value.map(() => []);
    this.hiddenInColumn = Array.from({ length: this.width }, () => []);
  }

  /** Moving away from 0 is always possible; towards 0, only while the count stays ≥ 1 (and the unknown part ≥ 0). */
  private moves(withKnownPart: boolean): Moves {
    const { height, width } = this;
    const up = new Uint8Array(height * width);
    const down = new Uint8Array(height * width);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        const negative = (i === height - 1) !== (j === width - 1);
        const towardsZero = this.value[i][j] >= 2 && (!withKnownPart || this.unknown[i][j] >= 1);
        up[i * width + j] = !negative || towardsZero ? 1 : 0;
        down[i * width + j] = negative || towardsZero ? 1 : 0;
      }
    }
    return { up, down, links: new Int32Array(width * width) };
  }

  suppress(threshold: number): void {
    for (let i = 0; i < this.height; i++) {
      for (let j = 0; j < this.width; j++) {
        if (isSmallCount(this.value[i][j], threshold) || isSmallCount(this.unknown[i][j], threshold))
          this.hide([i, j], 'small');
      }
    }
    for (;;) {
      this.pairLines();
      const exposed = this.firstUnprotected();
      if (!exposed) return;
      this.hide(this.complementFor(exposed), 'complementary');
    }
  }

  private isHidden([i, j]: Position): boolean {
    return this.reason[i][j] !== null;
  }

  private hide([i, j]: Position, reason: SuppressionReason): void {
    this.reason[i][j] = reason;
    for (const moves of [this.counts, this.rest]) {
      for (const b of this.hiddenInRow[i]) {
        if (this.isLink(moves, i, j, b)) moves.links[j * this.width + b]++;
        if (this.isLink(moves, i, b, j)) moves.links[b * this.width + j]++;
      }
    }
    this.hiddenInRow[i].push(j);
    this.hiddenInColumn[j].push(i);
  }

  private isTotal([i, j]: Position): boolean {
    return i === this.height - 1 || j === this.width - 1;
  }

  private rowCells(i: number): Position[] {
    return Array.from({ length: this.width }, (_, j): Position => [i, j]);
  }

  private columnCells(j: number): Position[] {
    return Array.from({ length: this.height }, (_, i): Position => [i, j]);
  }

  /** Shown non-zero cells, best complement first: inner cells before totals, then the smallest, then by position. */
  private candidates(cells: Position[]): Position[] {
    return cells
      .filter((cell) => !this.isHidden(cell) && this.value[cell[0]][cell[1]] > 0)
      .sort(
        (a, b) =>
          Number(this.isTotal(a)) - Number(this.isTotal(b)) ||
          this.value[a[0]][a[1]] - this.value[b[0]][b[1]] ||
          a[0] - b[0] ||
          a[1] - b[1],
      );
  }

  /** Step 2a: no line keeps exactly one hidden member. */
  private pairLines(): void {
    for (let changed = true; changed;) {
      changed = false;
      const lines = [
        ...this.hiddenInRow.map((hidden, i) => ({ hidden, cells: () => this.rowCells(i) })),
        ...this.hiddenInColumn.map((hidden, j) => ({ hidden, cells: () => this.columnCells(j) })),
      ];
      for (const line of lines) {
        if (line.hidden.length !== 1) continue;
        // The line adds up, so besides its one hidden (non-zero) member it has a shown non-zero one.
        const [complement] = this.candidates(line.cells());
        if (!complement) continue; // cannot happen (see above); the audit would still catch the cell
        this.hide(complement, 'complementary');
        changed = true;
      }
    }
  }

  private firstUnprotected(): Position | null {
    for (let i = 0; i < this.height; i++) {
      for (let j = 0; j < this.width; j++) {
        if (!this.isHidden([i, j]) || this.isProtected[i][j]) continue;
        if (!this.hasCycle([i, j])) return [i, j];
        this.isProtected[i][j] = true;
      }
    }
    return null;
  }

  /**
   * The reader a hidden cell must be protected from: one who knows the known part when the cell has
   * an unknown part (that reader rules out more, so a cycle for them is a cycle for anyone), otherwise
   * one who does not.
   */
  private movesFor([i, j]: Position): Moves {
    return this.unknown[i][j] >= 1 ? this.rest : this.counts;
  }

  /**
   * Step 2b: a shown count that gives the cell a cycle, the best one of its row or column, else the
   * best anywhere; when no single count does, the best of its row or column, and the loop goes on.
   */
  private complementFor(cell: Position): Position {
    const [i, j] = cell;
    const near = this.candidates([...this.rowCells(i), ...this.columnCells(j)]);
    const closes = this.cycleClosers(cell);
    const closing = near.find(closes);
    if (closing) return closing;
    const anywhere = this.candidates(this.value.flatMap((_, r) => this.rowCells(r)));
    const [first] = [...near, ...anywhere];
    // While a hidden cell lacks a cycle, some non-zero count is still shown (see step 2).
    if (!first) throw new Error('Suppression found no count left to hide');
    return anywhere.find(closes) ?? first;
  }

  private canMove(moves: Moves, [i, j]: Position, up: boolean): boolean {
    return (up ? moves.up : moves.down)[i * this.width + j] === 1;
  }

  /** Does row i lead from column a to column b (a hidden cell that may take −1, then one that may take +1)? */
  private isLink(moves: Moves, i: number, a: number, b: number): boolean {
    return (
      a !== b &&
      this.isHidden([i, a]) &&
      this.isHidden([i, b]) &&
      this.canMove(moves, [i, a], false) &&
      this.canMove(moves, [i, b], true)
    );
  }

  /**
   * Is there a cycle of hidden cells through this one, in one direction, not using the cell's other
   * arc? Such a cycle is a second table the reader cannot rule out. Searched on the columns only (the
   * short side: see `suppressTable`): column a leads to column b through a row other than i (`links`).
   */
  private hasCycle(cell: Position): boolean {
    const [i, j] = cell;
    const moves = this.movesFor(cell);
    const row = this.hiddenInRow[i];
    // Up: back from column j to row i, arriving through another hidden cell of row i that may take −1.
    if (this.canMove(moves, cell, true)) {
      const reached = this.columnsLinked(moves, j, i, true);
      if (row.some((c) => c !== j && reached[c] === 1 && this.canMove(moves, [i, c], false))) return true;
    }
    // Down: from row i, leaving through another hidden cell of row i that may take +1, to column j.
    if (this.canMove(moves, cell, false)) {
      const reaching = this.columnsLinked(moves, j, i, false);
      if (row.some((c) => c !== j && reaching[c] === 1 && this.canMove(moves, [i, c], true))) return true;
    }
    return false;
  }

  /** Columns reached from column `start` (`forward`), or reaching it, through rows other than `skipRow`. */
  private columnsLinked(moves: Moves, start: number, skipRow: number, forward: boolean): Uint8Array {
    const { width } = this;
    const through = (a: number, b: number) =>
      moves.links[a * width + b] - (this.isLink(moves, skipRow, a, b) ? 1 : 0) > 0;
    const seen = new Uint8Array(width);
    const queue = [start];
    seen[start] = 1;
    for (let head = 0; head < queue.length; head++) {
      const a = queue[head];
      for (let b = 0; b < width; b++) {
        if (seen[b] === 0 && (forward ? through(a, b) : through(b, a))) {
          seen[b] = 1;
          queue.push(b);
        }
      }
    }
    return seen;
  }

  /**
   * Which shown count, once hidden, would give the cell a cycle: one of its new arcs must lead from a
   * node the cycle's start reaches to a node that reaches the cycle's end.
   */
  private cycleClosers(cell: Position): (candidate: Position) => boolean {
    const [i, j] = cell;
    const moves = this.movesFor(cell);
    const [r, c] = [i, this.height + j];
    // Moving the cell up needs a way back column → row; moving it down, a way row → column.
    const ways = [
      ...(this.canMove(moves, cell, true)
        ? [{ from: this.reachable(moves, c, cell, true), to: this.reachable(moves, r, cell, false) }]
        : []),
      ...(this.canMove(moves, cell, false)
        ? [{ from: this.reachable(moves, r, cell, true), to: this.reachable(moves, c, cell, false) }]
        : []),
    ];
    return (candidate) => {
      const [cr, cc] = [candidate[0], this.height + candidate[1]];
      return ways.some(
        ({ from, to }) =>
          (this.canMove(moves, candidate, true) && from[cr] === 1 && to[cc] === 1) ||
          (this.canMove(moves, candidate, false) && from[cc] === 1 && to[cr] === 1),
      );
    };
  }

  /**
   * The nodes reached from `start` along the arcs (`forward`), or reaching it (backward), without the
   * skipped cell: 1 for each node reached. Forward, a row leads to the columns of its hidden cells that
   * may take +1 and a column to the rows of its hidden cells that may take −1; backward, the reverse.
   */
  private reachable(moves: Moves, start: number, skip: Position, forward: boolean): Uint8Array {
    const { height, width } = this;
    const skipped = skip[0] * width + skip[1];
    const fromRow = forward ? moves.up : moves.down;
    const fromColumn = forward ? moves.down : moves.up;
    const seen = new Uint8Array(height + width);
    const queue = [start];
    seen[start] = 1;
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      if (node < height) {
        for (const j of this.hiddenInRow[node]) {
          const at = node * width + j;
          if (fromRow[at] === 1 && at !== skipped && seen[height + j] === 0) {
            seen[height + j] = 1;
            queue.push(height + j);
          }
        }
      } else {
        const j = node - height;
        for (const i of this.hiddenInColumn[j]) {
          const at = i * width + j;
          if (fromColumn[at] === 1 && at !== skipped && seen[i] === 0) {
            seen[i] = 1;
            queue.push(i);
          }
        }
      }
    }
    return seen;
  }
}
