import { msUntilNextRun, retentionCutoff } from './retention-period';

describe('retentionCutoff', () => {
  it('goes back whole calendar months', () => {
    expect(retentionCutoff('2026-11-28', 36)).toBe('2023-11-28');
    expect(retentionCutoff('2004-06-16', 36)).toBe('2001-06-16');
    expect(retentionCutoff('2026-01-15', 1)).toBe('2025-12-15');
    expect(retentionCutoff('2026-03-01', 14)).toBe('2025-01-01');
  });

  it('falls back to the last day of a shorter month', () => {
    expect(retentionCutoff('2026-05-31', 3)).toBe('2026-02-28');
    expect(retentionCutoff('2027-03-31', 36)).toBe('2024-03-31');
    expect(retentionCutoff('2028-02-29', 12)).toBe('2027-02-28');
    expect(retentionCutoff('2027-02-28', 12)).toBe('2026-02-28');
    expect(retentionCutoff('2025-04-30', 2)).toBe('2025-02-28');
    expect(retentionCutoff('2024-04-30', 2)).toBe('2024-02-29');
  });
});

describe('msUntilNextRun', () => {
  const HOUR = 3_600_000;

  it('waits for the next 02:00 in Hanoi (19:00 UTC the day before)', () => {
    expect(msUntilNextRun(new Date('2026-11-28T18:00:00Z'), 2)).toBe(HOUR);
    expect(msUntilNextRun(new Date('2026-11-28T20:00:00Z'), 2)).toBe(23 * HOUR);
    expect(msUntilNextRun(new Date('2026-11-28T05:30:00Z'), 2)).toBe(13.5 * HOUR);
  });

  it('at 02:00 sharp waits a whole day, never zero', () => {
    expect(msUntilNextRun(new Date('2026-11-28T19:00:00Z'), 2)).toBe(24 * HOUR);
  });
});
