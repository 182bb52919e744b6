import { daysLeft, dueDayOf, isOverdue } from './deadline';

describe('data request deadlines', () => {
  it('adds the configured calendar days to the received day, across months and years', () => {
    expect(dueDayOf('2026-01-10', 30)).toBe('2026-02-09');
    expect(dueDayOf('2026-12-15', 30)).toBe('2027-01-14');
    expect(dueDayOf('2028-02-01', 29)).toBe('2028-03-01');
  });

  it('is due, not overdue, on the deadline day and overdue from the next day', () => {
    const request = { status: 'open' as const, dueOn: '2026-02-09' };
    expect(isOverdue(request, '2026-02-08')).toBe(false);
    expect(isOverdue(request, '2026-02-09')).toBe(false);
    expect(isOverdue(request, '2026-02-10')).toBe(true);
  });

  it('never flags a closed request', () => {
    expect(isOverdue({ status: 'done', dueOn: '2026-02-09' }, '2026-05-01')).toBe(false);
    expect(isOverdue({ status: 'refused', dueOn: '2026-02-09' }, '2026-05-01')).toBe(false);
  });

  it('counts the days left, zero on the day and negative after it', () => {
    expect(daysLeft('2026-02-09', '2026-02-01')).toBe(8);
    expect(daysLeft('2026-02-09', '2026-02-09')).toBe(0);
    expect(daysLeft('2026-02-09', '2026-02-12')).toBe(-3);
  });
});
