import type { FileProblem, RowProblem } from './import-kinds';
import type { Cells } from './kinds/kind-rows';

/** Where each expected column sits in the file. */
export interface Header {
  /** Expected header name → index of its cell. */
  columns: ReadonlyMap<string, number>;
}

export type HeaderCheck =
  { ok: true; header: Header } | { ok: false; problems: RowProblem[] } | { ok: false; problem: FileProblem };

/** `#3`: a column named by its position, for columns whose header text is not ours to show. */
const position = (index: number) => `#${index + 1}`;

/**
 * The header row must name exactly the kind's columns, each once (in any order; names are compared
 * without surrounding spaces or capitals). Empty header cells after the last column are ignored.
 * An unexpected column is named by its position, not its text.
 */
export function checkHeader(cells: readonly string[], expected: readonly string[]): HeaderCheck {
  const names = cells.map((cell) =>
    cell
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  while (names.length && names[names.length - 1] === '') names.pop();
  // Excel set to Vietnamese separates CSV columns with ';': say so rather than "missing columns".
  if (names.length === 1 && names[0].includes(';') && !expected.includes(names[0])) {
    return { ok: false, problem: 'wrong_delimiter' };
  }
  const problems: RowProblem[] = [];
  const columns = new Map<string, number>();
  for (const name of expected) {
    const found = names.flatMap((n, i) => (n === name ? [i] : []));
    if (found.length === 0) problems.push({ column: name, reason: 'missing_column' });
    else if (found.length > 1) problems.push({ column: name, reason: 'repeated_column' });
    else columns.set(name, found[0]);
  }
  names.forEach((name, i) => {
    if (!expected.includes(name)) problems.push({ column: position(i), reason: 'unexpected_column' });
  });
  return problems.length ? { ok: false, problems } : { ok: true, header: { columns } };
}

/** A data row by column name, and what is wrong with its shape (values outside the columns, broken text). */
export function mapRow(cells: readonly string[], header: Header): { cells: Cells; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const mapped: Record<string, string> = {};
  const used = new Set<number>();
  for (const [name, index] of header.columns) {
    const text = cells[index] ?? '';
    used.add(index);
    // U+FFFD is what decoding leaves of bytes that are not UTF-8 (a file saved as Windows-1258, say).
    if (text.includes('\uFFFD')) problems.push({ column: name, reason: 'not_utf8' });
    mapped[name] = text;
  }
  if (cells.some((text, i) => text !== '' && !used.has(i))) problems.push({ column: null, reason: 'extra_values' });
  return { cells: mapped, problems };
}

export const isBlank = (cells: readonly string[]) => cells.every((cell) => cell === '');
