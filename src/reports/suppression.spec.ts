import { SuppressedCount, SuppressedTable, suppressCount, suppressTable } from './suppression';

const K = 5;

/** The table as a reader sees it: rows of cells then the row total, the totals row last. */
const shownAs = (table: SuppressedTable): string[][] => [
  ...table.cells.map((row, i) => [...row.map((c) => c.display), table.rowTotals[i].display]),
  [...table.columnTotals.map((c) => c.display), table.total.display],
];

const reasonsOf = (table: SuppressedTable): Array<Array<string | null>> => {
  const reason = (c: SuppressedCount) => (c.hidden ? c.reason : null);
  return [
    ...table.cells.map((row, i) => [...row.map(reason), reason(table.rowTotals[i])]),
    [...table.columnTotals.map(reason), reason(table.total)],
  ];
};

/**
 * An independent check of the promise, by brute force: for every hidden cell (in the extended table,
 * totals last) it looks for another table the reader cannot rule out (shown figures as shown, hidden
 * ones ≥ 1, every line adding up) that differs from the true one in that cell, trying every change of
 * −1, 0 or +1 to the hidden inner cells. With a known part, a cell whose unknown part is not zero must
 * differ in a table that also keeps every unknown part ≥ 0 (what the reader who knows that part can
 * rule out). It returns the hidden cells for which no such table exists.
 */
function recoverableCells(counts: number[][], table: SuppressedTable, known?: number[][]): string[] {
  const rows = counts.length;
  const columns = counts[0].length;
  const seen = shownAs(table);
  const isHidden = (i: number, j: number) => !/^\d+$/.test(seen[i][j]);
  const unknowns: Array<[number, number]> = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) if (isHidden(i, j)) unknowns.push([i, j]);
  const lastInRow = new Map<number, number>();
  const lastInColumn = new Map<number, number>();
  unknowns.forEach(([i, j], n) => {
    lastInRow.set(i, n);
    lastInColumn.set(j, n);
  });
  const sums = (table: number[][]) => {
    const rowTotals = table.map((row) => row.reduce((a, b) => a + b, 0));
    const columnTotals = Array.from({ length: columns }, (_, j) => table.reduce((a, row) => a + row[j], 0));
    return [...table.map((row, i) => [...row, rowTotals[i]]), [...columnTotals, rowTotals.reduce((a, b) => a + b, 0)]];
  };
  const value = sums(counts);
  const rest = sums(counts.map((row, i) => row.map((n, j) => n - (known?.[i][j] ?? 0))));
  const d = counts.map((row) => row.map(() => 0));
  const change = (i: number, j: number) => {
    const inRow = (r: number) => d[r].reduce((a, b) => a + b, 0);
    const inColumn = (c: number) => d.reduce((a, row) => a + row[c], 0);
    if (i < rows && j < columns) return d[i][j];
    if (i < rows) return inRow(i);
    if (j < columns) return inColumn(j);
    return d.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0);
  };
  // A shown figure may not change; a hidden one stays ≥ 1 (and its unknown part ≥ 0 when it matters).
  const fits = (i: number, j: number, strict: boolean) => {
    const delta = change(i, j);
    if (!isHidden(i, j)) return delta === 0;
    return value[i][j] + delta >= 1 && (!strict || rest[i][j] + delta >= 0);
  };

  const differsAt = (ti: number, tj: number, strict: boolean, n: number): boolean => {
    if (n === unknowns.length) return fits(rows, columns, strict) && change(ti, tj) !== 0;
    const [i, j] = unknowns[n];
    for (const step of [1, -1, 0]) {
      d[i][j] = step;
      const ok =
        fits(i, j, strict) &&
        (lastInRow.get(i) !== n || fits(i, columns, strict)) &&
        (lastInColumn.get(j) !== n || fits(rows, j, strict));
      if (ok && differsAt(ti, tj, strict, n + 1)) {
        d[i][j] = 0;
        return true;
      }
    }
    d[i][j] = 0;
    return false;
  };

  const recoverable: string[] = [];
  for (let i = 0; i <= rows; i++)
    for (let j = 0; j <= columns; j++)
      if (isHidden(i, j) && !differsAt(i, j, rest[i][j] >= 1, 0)) recoverable.push(`${i},${j}`);
  return recoverable;
}

/** A small deterministic generator, so a failing random table can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('suppressCount', () => {
  it('hides a lone count from 1 to k−1 and shows zero and counts of k or more', () => {
    expect([0, 1, 4, 5, 12].map((n) => suppressCount(n, K).display)).toEqual(['0', '<5', '<5', '5', '12']);
    expect(suppressCount(3, K)).toEqual({ hidden: true, reason: 'small', display: '<5' });
    expect(suppressCount(7, K)).toEqual({ hidden: false, count: 7, display: '7' });
  });

  it('refuses a negative or fractional count and a threshold below 1', () => {
    expect(() => suppressCount(-1, K)).toThrow(RangeError);
    expect(() => suppressCount(1.5, K)).toThrow(RangeError);
    expect(() => suppressCount(3, 0)).toThrow(RangeError);
  });
});

describe('suppressTable', () => {
  it('shows a table with no count from 1 to k−1 as it is, totals included', () => {
    const table = suppressTable(
      [
        [5, 0, 12],
        [0, 7, 9],
      ],
      { threshold: K },
    );
    expect(shownAs(table)).toEqual([
      ['5', '0', '12', '17'],
      ['0', '7', '9', '16'],
      ['5', '7', '21', '33'],
    ]);
    expect(table.cells[0][2]).toEqual({ hidden: false, count: 12, display: '12' });
    expect(table.total).toEqual({ hidden: false, count: 33, display: '33' });
  });

  it('hides a second count in a row that has one hidden cell, the smallest non-zero one', () => {
    // Row 0 alone would give the 3 away (20 − 0 − 6 − 11). The zero is skipped; 6 is the complement;
    // the columns of 3 and 6 then each get a partner in row 1.
    const counts = [
      [3, 0, 6, 11],
      [8, 9, 7, 10],
    ];
    const table = suppressTable(counts, { threshold: K });
    expect(shownAs(table)).toEqual([
      ['<5', '0', '<5', '11', '20'],
      ['<5', '9', '<5', '10', '34'],
      ['11', '9', '13', '21', '54'],
    ]);
    expect(reasonsOf(table)).toEqual([
      ['small', null, 'complementary', null, null],
      ['complementary', null, 'complementary', null, null],
      [null, null, null, null, null],
    ]);
    expect(recoverableCells(counts, table)).toEqual([]);
  });

  it('hides a second count in a column that has one hidden cell', () => {
    const counts = [
      [2, 9],
      [6, 8],
      [10, 0],
    ];
    const table = suppressTable(counts, { threshold: K });
    // Column 0: 2 (small) and 6 (the smallest shown non-zero count of that column).
    expect(table.cells[1][0]).toEqual({ hidden: true, reason: 'complementary', display: '<5' });
    expect(table.cells[2][0].hidden).toBe(false);
    expect(recoverableCells(counts, table)).toEqual([]);
  });

  it('never hides a zero and never uses one as a complement', () => {
    const counts = [
      [1, 0, 0, 40],
      [0, 0, 6, 0],
      [30, 0, 7, 0],
    ];
    const table = suppressTable(counts, { threshold: K });
    counts.forEach((row, i) =>
      row.forEach((n, j) => {
        if (n === 0) expect(table.cells[i][j]).toEqual({ hidden: false, count: 0, display: '0' });
      }),
    );
    expect(table.columnTotals[1]).toEqual({ hidden: false, count: 0, display: '0' });
    expect(recoverableCells(counts, table)).toEqual([]);
  });

  it('hides a total from 1 to k−1 and protects it in the totals line', () => {
    // Row 1 adds up to 3: its cells and its total are small; the column of row totals then needs a
    // second hidden total, or 3 = 62 − 59.
    const counts = [
      [20, 9, 30],
      [2, 1, 0],
      [6, 8, 7],
    ];
    const table = suppressTable(counts, { threshold: K });
    expect(table.rowTotals[1]).toEqual({ hidden: true, reason: 'small', display: '<5' });
    expect(table.rowTotals.filter((c) => c.hidden).length).toBeGreaterThanOrEqual(2);
    expect(recoverableCells(counts, table)).toEqual([]);
  });

  it('hides everything non-zero when the grand total itself is small', () => {
    const table = suppressTable(
      [
        [1, 0],
        [0, 2],
      ],
      { threshold: K },
    );
    expect(shownAs(table)).toEqual([
      ['<5', '0', '<5'],
      ['0', '<5', '<5'],
      ['<5', '<5', '<5'],
    ]);
  });

  it('follows the threshold it is given', () => {
    const counts = [
      [3, 0, 12],
      [0, 9, 11],
    ];
    expect(shownAs(suppressTable(counts, { threshold: 3 }))).toEqual([
      ['3', '0', '12', '15'],
      ['0', '9', '11', '20'],
      ['3', '9', '23', '35'],
    ]);
    expect(suppressTable(counts, { threshold: 4 }).cells[0][0]).toEqual({
      hidden: true,
      reason: 'small',
      display: '<4',
    });
    const strict = suppressTable(counts, { threshold: 10 });
    expect(strict.cells[1][1]).toEqual({ hidden: true, reason: 'small', display: '<10' });
    expect(recoverableCells(counts, strict)).toEqual([]);
  });

  it('repeats complementary suppression until every line is stable', () => {
    // Each complement leaves a new line with one hidden cell: 3 → 7 (row 0) → 8 (column 0) → 6 (row 1)
    // → closes column 1.
    const counts = [
      [3, 7, 50],
      [8, 6, 60],
      [40, 30, 0],
    ];
    const table = suppressTable(counts, { threshold: K });
    expect(reasonsOf(table).slice(0, 2)).toEqual([
      ['small', 'complementary', null, null],
      ['complementary', 'complementary', null, null],
    ]);
    expect(recoverableCells(counts, table)).toEqual([]);
  });

  it('hides more when two hidden 1s in a line would add up to a known 2', () => {
    // Pairs alone hide the four cells of columns 0 and 1 in rows 0 and 1; row 0's hidden cells would
    // add up to 22 − 20 = 2, so both would be 1.
    const counts = [
      [1, 1, 20],
      [6, 7, 8],
    ];
    const table = suppressTable(counts, { threshold: K });
    expect(table.cells[0][2].hidden).toBe(true);
    expect(recoverableCells(counts, table)).toEqual([]);
  });

  it('hides more when one hidden cell joins two hidden blocks', () => {
    // Every line has two hidden cells or more, yet the 2 in row 1, column 2 is fixed by the sums
    // around it (row 1 − (column 0 + column 1 − row 0)).
    const counts = [
      [2, 3, 0, 0, 20],
      [4, 5, 2, 0, 20],
      [0, 0, 6, 7, 20],
      [0, 0, 8, 9, 20],
      [20, 20, 20, 20, 20],
    ];
    const table = suppressTable(counts, { threshold: 10 });
    expect(recoverableCells(counts, table)).toEqual([]);
  });

  it('leaves no hidden cell recoverable in random tables', () => {
    const random = generator(20240617);
    const pick = [0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 8, 12];
    for (let n = 0; n < 200; n++) {
      const rows = 2 + Math.floor(random() * 2);
      const columns = 2 + Math.floor(random() * 2);
      const counts = Array.from({ length: rows }, () =>
        Array.from({ length: columns }, () => pick[Math.floor(random() * pick.length)]),
      );
      const table = suppressTable(counts, { threshold: K });
      expect({ counts, recoverable: recoverableCells(counts, table) }).toEqual({ counts, recoverable: [] });
      counts.forEach((row, i) =>
        row.forEach((v, j) => {
          if (v === 0) expect(table.cells[i][j].display).toBe('0');
          if (v >= 1 && v < K) expect(table.cells[i][j]).toMatchObject({ hidden: true, reason: 'small' });
        }),
      );
    }
  });

  it('hides a count whose unknown part is from 1 to k−1, and protects that part', () => {
    // The reader knows their own part: 12 − 9 = 3 of the others' would show in row 0, column 0.
    const counts = [
      [12, 20, 7],
      [9, 30, 15],
      [6, 8, 40],
    ];
    const known = [
      [9, 20, 0],
      [9, 25, 0],
      [0, 0, 0],
    ];
    const table = suppressTable(counts, { threshold: K, known });
    expect(table.cells[0][0]).toEqual({ hidden: true, reason: 'small', display: '<5' });
    expect(recoverableCells(counts, table, known)).toEqual([]);
    // Without the known part the 12 could be shown, and would give the others' 3 away.
    expect(suppressTable(counts, { threshold: K }).cells[0][0].display).toBe('12');
  });

  it('protects nothing more than usual when the reader knows every count already', () => {
    const counts = [
      [3, 7, 50],
      [8, 6, 60],
    ];
    expect(suppressTable(counts, { threshold: K, known: counts })).toEqual(suppressTable(counts, { threshold: K }));
  });

  it('leaves no unknown part recoverable in random tables with a known part', () => {
    const random = generator(356);
    const pick = [0, 0, 1, 2, 3, 5, 6, 9, 14];
    for (let n = 0; n < 150; n++) {
      const rows = 2 + Math.floor(random() * 2);
      const columns = 2 + Math.floor(random() * 2);
      const counts = Array.from({ length: rows }, () =>
        Array.from({ length: columns }, () => pick[Math.floor(random() * pick.length)]),
      );
      const known = counts.map((row) => row.map((v) => Math.floor(random() * (v + 1))));
      const table = suppressTable(counts, { threshold: K, known });
      expect({ counts, known, recoverable: recoverableCells(counts, table, known) }).toEqual({
        counts,
        known,
        recoverable: [],
      });
    }
  });

  it('gives the same result for the same table', () => {
    const counts = [
      [3, 7, 50, 2],
      [8, 6, 60, 9],
      [40, 30, 1, 11],
    ];
    expect(suppressTable(counts, { threshold: K })).toEqual(suppressTable(counts, { threshold: K }));
  });

  it('returns totals of zero for a table without rows', () => {
    const table = suppressTable([], { threshold: K, columns: 3 });
    expect(table.cells).toEqual([]);
    expect(table.columnTotals.map((c) => c.display)).toEqual(['0', '0', '0']);
    expect(table.total.display).toBe('0');
  });

  it('refuses ragged rows, negative counts and a known part larger than its count', () => {
    expect(() => suppressTable([[1, 2], [3]], { threshold: K })).toThrow(RangeError);
    expect(() => suppressTable([[1, -2]], { threshold: K })).toThrow(RangeError);
    expect(() => suppressTable([[1, 2]], { threshold: K, known: [[2, 0]] })).toThrow(RangeError);
    expect(() => suppressTable([[1, 2]], { threshold: K, known: [[0]] })).toThrow(RangeError);
  });
});
