import { addDays, dayOf, programDay } from './days';

describe('calendar days', () => {
  it.each([
    ['2026-03-07', '2026-03-07'],
    ['7/3/2026', '2026-03-07'],
    ['07/03/2026', '2026-03-07'],
    [' 2026-3-7 ', '2026-03-07'],
    ['29/02/2024', '2024-02-29'],
  ])('reads %p as %p', (text, day) => {
    expect(dayOf(text)).toBe(day);
  });

  it.each(['31/02/2026', '2026-13-01', '00/01/2026', '2026/03/07', 'today', '', '1/1/26'])('refuses %p', (text) => {
    expect(dayOf(text)).toBeNull();
  });

  it('refuses what is not text', () => {
    expect(dayOf(undefined)).toBeNull();
    expect(dayOf(['2026-01-01'])).toBeNull();
    expect(dayOf(20260101)).toBeNull();
  });

  it('keeps program days between 2000 and 2999', () => {
    expect(programDay('31/12/1999')).toBeNull();
    expect(programDay('01/01/2000')).toBe('2000-01-01');
    expect(programDay('3000-01-01')).toBeNull();
  });

  it('adds and subtracts days across months and years', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});
