import { randomInt } from 'node:crypto';
import { localDay, TIME_ZONE } from './clock';

const hanoiDay = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

describe('localDay', () => {
  it('changes day at midnight in Hanoi (17:00 UTC), not at midnight UTC', () => {
    expect(localDay(new Date('2026-06-30T16:59:59.999Z'))).toBe('2026-06-30');
    expect(localDay(new Date('2026-06-30T17:00:00.000Z'))).toBe('2026-07-01');
    expect(localDay(new Date('2026-12-31T17:00:00.000Z'))).toBe('2027-01-01');
    expect(localDay(new Date('2028-02-28T17:00:00.000Z'))).toBe('2028-02-29');
  });

  it('gives the day the time-zone database gives, for any instant since 1976', () => {
    const from = Date.UTC(1976, 0, 1);
    const to = Date.UTC(2100, 0, 1);
    for (let i = 0; i < 20_000; i++) {
      const instant = new Date(from + (randomInt(0, 2 ** 47) % (to - from)));
      expect(localDay(instant)).toBe(hanoiDay.format(instant));
    }
  });
});
