import { checkHeader, mapRow } from './data-rows';

const EXPECTED = ['uic', 'assessed_on', 'domain', 'need', 'eligible'];

describe('import header and rows', () => {
  it('accepts the exact columns in any order, ignoring a BOM, spaces, capitals and empty trailing cells', () => {
    const checked = checkHeader(['\uFEFFUIC', ' domain ', 'assessed_on', 'need', 'eligible', '', ''], EXPECTED);
    expect(checked.ok).toBe(true);
    if (checked.ok)
      expect([...checked.header.columns]).toEqual([
        ['uic', 0],
        ['assessed_on', 2],
        ['domain', 1],
        ['need', 3],
        ['eligible', 4],
      ]);
  });

  it('names missing and repeated columns, and unexpected ones by position only', () => {
    expect(checkHeader(['uic', 'assessed_on', 'domain', 'need', 'need', 'Nguyễn Thị A'], EXPECTED)).toEqual({
      ok: false,
      problems: [
        { column: 'need', reason: 'repeated_column' },
        { column: 'eligible', reason: 'missing_column' },
        { column: '#6', reason: 'unexpected_column' },
      ],
    });
  });

  it('recognises columns separated by semicolons', () => {
    expect(checkHeader(['uic;assessed_on;domain;need;eligible'], EXPECTED)).toEqual({
      ok: false,
      problem: 'wrong_delimiter',
    });
  });

  it('maps cells by column, flags values outside the columns and text that was not UTF-8', () => {
    const checked = checkHeader(EXPECTED, EXPECTED);
    if (!checked.ok) throw new Error('header');
    expect(mapRow(['A', '2024-01-01', 'health'], checked.header)).toEqual({
      cells: { uic: 'A', assessed_on: '2024-01-01', domain: 'health', need: '', eligible: '' },
      problems: [],
    });
    expect(mapRow(['A', '2024-01-01', 'h\uFFFDalth', 'yes', 'no', '', 'x'], checked.header).problems).toEqual([
      { column: 'domain', reason: 'not_utf8' },
      { column: null, reason: 'extra_values' },
    ]);
  });
});
