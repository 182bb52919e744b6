import { birthYearCell, codeCell, codeListCell, countCell, dayCell, districtCell, uicCell } from './cells';
import { dayOf } from '../web/days';

const TODAY = '2026-06-15';

describe('import cells', () => {
  it.each([
    ['2024-03-05', '2024-03-05'],
    ['05/03/2024', '2024-03-05'],
    ['5/3/2024', '2024-03-05'],
    ['2024-3-5', '2024-03-05'],
    ['29/02/2024', '2024-02-29'],
    ['29/02/2023', null],
    ['2024-02-30', null],
    ['03/05/24', null],
    ['2024/03/05', null],
    ['05-03-2024', null],
    ['45356', null],
  ])('reads the day %s as %s', (text, day) => {
    expect(dayOf(text)).toBe(day);
  });

  it('refuses empty, impossible, future and too early days', () => {
    expect(dayCell('', TODAY)).toEqual({ ok: false, reason: 'required' });
    expect(dayCell('31/04/2024', TODAY)).toEqual({ ok: false, reason: 'invalid_date' });
    expect(dayCell('2026-06-16', TODAY)).toEqual({ ok: false, reason: 'future_date' });
    expect(dayCell('2026-06-15', TODAY)).toEqual({ ok: true, value: '2026-06-15' });
    expect(dayCell('31/12/1999', TODAY)).toEqual({ ok: false, reason: 'date_too_early|min=01/01/2000' });
  });

  it('reads codes of a list forgiving capitals, and lists separated by semicolons', () => {
    expect(codeCell('Street', ['street', 'venue'])).toEqual({ ok: true, value: 'street' });
    expect(codeCell('bicycle', ['street', 'venue'])).toEqual({ ok: false, reason: 'unknown_code' });
    expect(codeCell('', ['street'])).toEqual({ ok: false, reason: 'required' });
    expect(codeListCell(' GBV ; hiv_sti;;gbv', ['gbv', 'hiv_sti'])).toEqual({ ok: true, value: ['gbv', 'hiv_sti'] });
    expect(codeListCell('', ['gbv'])).toEqual({ ok: true, value: [] });
    expect(codeListCell('gbv,hiv_sti', ['gbv', 'hiv_sti'])).toEqual({ ok: false, reason: 'unknown_code' });
    expect(districtCell('Hoang-Mai', new Set(['hoang-mai']))).toEqual({ ok: true, value: 'hoang-mai' });
    expect(districtCell('atlantis', new Set(['hoang-mai']))).toEqual({ ok: false, reason: 'unknown_district' });
  });

  it('reads counts: empty is none, whole and not negative, within reason', () => {
    expect(countCell('')).toEqual({ ok: true, value: 0 });
    expect(countCell('12')).toEqual({ ok: true, value: 12 });
    expect(countCell('3.0')).toEqual({ ok: true, value: 3 });
    expect(countCell('-2')).toEqual({ ok: false, reason: 'negative' });
    expect(countCell('1.5')).toEqual({ ok: false, reason: 'not_whole_number' });
    expect(countCell('ten')).toEqual({ ok: false, reason: 'not_whole_number' });
    expect(countCell('10001')).toEqual({ ok: false, reason: 'too_large|max=10000' });
  });

  it('reads birth years within a sensible range', () => {
    expect(birthYearCell('1995', TODAY)).toEqual({ ok: true, value: 1995 });
    expect(birthYearCell('2016', TODAY)).toEqual({ ok: true, value: 2016 });
    expect(birthYearCell('2017', TODAY)).toEqual({ ok: false, reason: 'birth_year_range|min=1940|max=2016' });
    expect(birthYearCell('95', TODAY)).toEqual({ ok: false, reason: 'not_whole_number' });
  });

  it('hashes a normalized code on arrival and keeps only the hash and its year digits', () => {
    const seen: string[] = [];
    const hash = (code: string) => {
      seen.push(code);
      return `h(${code.length})`;
    };
    expect(uicCell('Đỗ Hà f 88 m', hash)).toEqual({ ok: true, value: { hash: 'h(8)', yearDigits: '88' } });
    expect(uicCell('ng-la-f-95-h', hash)).toEqual({ ok: true, value: { hash: 'h(8)', yearDigits: '95' } });
    expect(seen).toEqual(['DOHAF88M', 'NGLAF95H']);
    expect(uicCell('NGLA', hash)).toEqual({ ok: false, reason: 'invalid_uic' });
    expect(uicCell('', hash)).toEqual({ ok: false, reason: 'required' });
  });
});
