import { HelperOptions } from 'handlebars';
import { eq, formatDate, formatDateTime, includes, t } from './handlebars-helpers';

const options = (lang: string, hash: Record<string, unknown> = {}) =>
  ({ data: { root: { lang } }, hash }) as unknown as HelperOptions;

describe('handlebars helpers', () => {
  it('translates a key in the page language, with placeholders', () => {
    expect(t('users.created', options('vi', { username: 'lan' }))).toBe('Đã tạo tài khoản lan.');
    expect(t('users.created', options('en', { username: 'lan' }))).toBe('Account lan created.');
  });

  it('reads placeholder values carried inside a validation key', () => {
    expect(t('validation.tooLong|max=200', options('en'))).toBe('Too long (at most 200 characters).');
  });

  it('falls back to Vietnamese for an unknown language', () => {
    expect(t('login.title', options('fr'))).toBe('Đăng nhập');
  });

  it('shows dates as dd/mm/yyyy on the Hanoi calendar', () => {
    // 17:30 UTC on 16 June is already 17 June in Hanoi (UTC+7).
    expect(formatDate(new Date('2026-06-16T17:30:00Z'))).toBe('17/06/2026');
    expect(formatDateTime(new Date('2026-06-16T17:30:00Z'))).toBe('17/06/2026, 00:30:00');
    expect(formatDate('not a date')).toBe('');
  });

  it('compares and tests membership as strings', () => {
    expect(eq(1, '1')).toBe(true);
    expect(includes(['a', 'b'], 'b')).toBe(true);
    expect(includes(undefined, 'b')).toBe(false);
  });
});
