import { DOMAINS } from '../reference/codes';
import { ALL, FigureRow } from './indicators.repository';
import { exportRows, figureTable, FIGURES } from './indicator-table';
import { seededRandom } from '../../test/support/seeded-random';

const K = 5;
const GEOGRAPHY = ['ba-dinh', 'hoan-kiem', 'dong-da', 'cau-giay'];

/** Integers from 0 to max inclusive, from a seed, so a failure names a table that can be run again. */
const generator = (seed: number) => {
  const below = seededRandom(seed);
  return (max: number) => below(max + 1);
};

/** Counts from 0 to 12, small ones often (the cells suppression exists for). */
const smallCount = (random: (max: number) => number) =>
  random(3) === 0 ? 0 : random(3) === 0 ? random(12) : random(5);

/**
 * The engine's rows for a program whose district figures add up to the ALL figure (the strictest case
 * for suppression: a reader who knows the sum learns the most). Rates get a numerator ≤ denominator.
 */
function programRows(random: (max: number) => number): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const { indicator, domain } of FIGURES) {
    const isRate = indicator === 'access_rate';
    let numerator = 0;
    let denominator = 0;
    for (const district of GEOGRAPHY) {
      const n = smallCount(random);
      const d = isRate ? n + smallCount(random) : null;
      numerator += n;
      denominator += d ?? 0;
      rows.push({ indicator, district, domain, numerator: n, denominator: d });
    }
    rows.push({ indicator, district: ALL, domain, numerator, denominator: isRate ? denominator : null });
  }
  return rows;
}

/**
 * The hidden cells of one figure that the reader of the export could pin down, found independently of
 * the suppression code: the hidden district rows (true values, one column per count: the count, or a
 * rate's users and non-users) add up to the shown ALL figure minus the shown districts. Another table
 * the reader cannot rule out keeps those sums, every hidden count ≥ 0 and every hidden row non-zero (a
 * zero row is shown as zeros). Moving one unit between two hidden rows of a column — twice at most, so a
 * row that would become empty can take a unit of the other column — reaches such a table whenever one
 * exists that changes a given cell by one. Returns "row/column" of the cells no such table changes.
 */
function pinnedCells(hidden: number[][]): string[] {
  const columns = hidden[0].length;
  const valid = (t: number[][]) => t.every((row) => row.every((v) => v >= 0) && row.some((v) => v > 0));
  const moves: Array<[number, number, number]> = [];
  for (let c = 0; c < columns; c++)
    for (let a = 0; a < hidden.length; a++) for (let b = 0; b < hidden.length; b++) if (a !== b) moves.push([c, a, b]);
  const apply = (t: number[][], [c, a, b]: [number, number, number]) => {
    const next = t.map((row) => [...row]);
    next[a][c] -= 1;
    next[b][c] += 1;
    return next;
  };
  const changed = new Set<string>();
  const note = (t: number[][]) => {
    if (!valid(t)) return;
    t.forEach((row, i) => row.forEach((v, j) => v !== hidden[i][j] && changed.add(`${i}/${j}`)));
  };
  for (const first of moves) {
    const once = apply(hidden, first);
    note(once);
    for (const second of moves) note(apply(once, second));
  }
  const pinned: string[] = [];
  hidden.forEach((row, i) => row.forEach((v, j) => v > 0 && !changed.has(`${i}/${j}`) && pinned.push(`${i}/${j}`)));
  return pinned;
}

describe('figureTable: the indicator export with small-cell suppression', () => {
  it('lists every figure for ALL and every district, zero rows included, in the §6 order', () => {
    const table = figureTable([], GEOGRAPHY, K);
    const rows = exportRows(table, '2026-01-01', '2026-06-30');
    expect(rows).toHaveLength((GEOGRAPHY.length + 1) * FIGURES.length);
    expect(rows.slice(0, FIGURES.length).map((r) => `${r.indicator}/${r.domain}`)).toEqual([
      'reach_contacts/ALL',
      'reached_clients/ALL',
      'access_rate/ALL',
      ...DOMAINS.map((d) => `access_rate/${d}`),
      'referrals_made/ALL',
      'referrals_completed/ALL',
      'group_sessions/ALL',
      'group_members_reached/ALL',
    ]);
    expect(rows[0]).toEqual({
      indicator: 'reach_contacts',
      period_start: '2026-01-01',
      period_end: '2026-06-30',
      district: ALL,
      domain: ALL,
      numerator: '0',
      denominator: '',
      value: '0',
    });
    // A rate with no denominator has an empty value, never a division by zero.
    expect(table.get('access_rate', 'ba-dinh', 'health')).toMatchObject({
      numerator: '0',
      denominator: '0',
      value: '',
    });
  });

  it('hides a district count from 1 to k−1 as <k, with a complement so the total does not give it away', () => {
    const rows: FigureRow[] = [
      { indicator: 'referrals_made', district: ALL, domain: ALL, numerator: 30, denominator: null },
      { indicator: 'referrals_made', district: 'ba-dinh', domain: ALL, numerator: 2, denominator: null },
      { indicator: 'referrals_made', district: 'hoan-kiem', domain: ALL, numerator: 8, denominator: null },
      { indicator: 'referrals_made', district: 'dong-da', domain: ALL, numerator: 20, denominator: null },
    ];
    const table = figureTable(rows, GEOGRAPHY, K);
    const shown = GEOGRAPHY.map((d) => table.get('referrals_made', d).value);
    expect(shown).toEqual(['<5', '<5', '20', '0']);
    expect(table.get('referrals_made', ALL).value).toBe('30');
    // Unsuppressed (an audited export with a reason): every figure as it is.
    const plain = figureTable(rows, GEOGRAPHY, null);
    expect(GEOGRAPHY.map((d) => plain.get('referrals_made', d).value)).toEqual(['2', '8', '20', '0']);
  });

  it('hides a whole rate row (numerator, denominator and value) when one of its counts is small', () => {
    const rows: FigureRow[] = [
      { indicator: 'access_rate', district: ALL, domain: ALL, numerator: 13, denominator: 33 },
      { indicator: 'access_rate', district: 'ba-dinh', domain: ALL, numerator: 1, denominator: 9 },
      { indicator: 'access_rate', district: 'hoan-kiem', domain: ALL, numerator: 6, denominator: 12 },
      { indicator: 'access_rate', district: 'dong-da', domain: ALL, numerator: 6, denominator: 12 },
    ];
    const table = figureTable(rows, GEOGRAPHY, K);
    expect(table.get('access_rate', 'ba-dinh')).toMatchObject({ numerator: '<5', denominator: '<5', value: '<5' });
    expect(table.get('access_rate', ALL)).toMatchObject({ numerator: '13', denominator: '33', value: '0.3939' });
    // One more district row is hidden so the shown totals do not give ba-dinh's away.
    expect(['hoan-kiem', 'dong-da'].filter((d) => table.get('access_rate', d).hidden)).toHaveLength(1);
  });

  it('leaves no hidden figure of an export recoverable from the shown totals, in 300 random programs', () => {
    const random = generator(20_261_206);
    let hiddenSeen = 0;
    for (let trial = 0; trial < 300; trial++) {
      const engineRows = programRows(random);
      const exported = exportRows(figureTable(engineRows, GEOGRAPHY, K), '2026-01-01', '2026-12-31');
      const truth = new Map(engineRows.map((r) => [`${r.indicator}|${r.district}|${r.domain}`, r]));
      for (const { indicator, domain } of FIGURES) {
        const isRate = indicator === 'access_rate';
        const isHidden = (district: string) => {
          const row = exported.find(
            (r) => r.indicator === indicator && r.district === district && r.domain === domain,
          )!;
          // Nothing from 1 to k−1 is ever written.
          for (const text of [row.numerator, row.denominator])
            if (text !== '' && text !== `<${K}`) expect(Number(text) === 0 || Number(text) >= K).toBe(true);
          return row.numerator === `<${K}`;
        };
        const hidden = GEOGRAPHY.filter(isHidden);
        hiddenSeen += hidden.length;
        // Hidden districts under a hidden ALL figure are bound by nothing the reader sees.
        if (hidden.length === 0 || isHidden(ALL)) continue;
        const counts = hidden.map((district) => {
          const real = truth.get(`${indicator}|${district}|${domain}`)!;
          return isRate ? [real.numerator, (real.denominator ?? 0) - real.numerator] : [real.numerator];
        });
        expect({ trial, indicator, domain, hidden, pinned: pinnedCells(counts) }).toEqual({
          trial,
          indicator,
          domain,
          hidden,
          pinned: [],
        });
      }
    }
    // The random programs did exercise suppression.
    expect(hiddenSeen).toBeGreaterThan(1000);
  });
});
