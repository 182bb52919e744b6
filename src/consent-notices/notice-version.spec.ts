import {
  compareNoticeVersions,
  isNoticeVersion,
  needsRenewal,
  NOTICE_VERSION,
  NOTICE_VERSION_SQL,
  suggestedVersion,
  versionRefusal,
} from './notice-version';

describe('consent notice versions', () => {
  it('reads YYYY-MM and YYYY-MM-N (N from 2 to 99)', () => {
    for (const version of ['2026-01', '2026-12', '2026-01-2', '2026-01-10', '2099-07-99']) {
      expect(isNoticeVersion(version)).toBe(true);
    }
    for (const text of ['2026-1', '2026-13', '2026-00', '2026-01-1', '2026-01-0', '2026-01-100', '1999-01', 'v2', '']) {
      expect(isNoticeVersion(text)).toBe(false);
    }
    expect(isNoticeVersion(undefined)).toBe(false);
  });

  it('keeps the SQL rule of the table the same as the TypeScript one', () => {
    const sql = new RegExp(NOTICE_VERSION_SQL);
    for (const text of ['2026-01', '2026-01-2', '2026-01-10', '2026-01-1', '2026-13', '2026-1', '1999-01']) {
      expect(sql.test(text)).toBe(NOTICE_VERSION.test(text));
    }
  });

  it('orders versions by month, then by number (10 after 9, not between 1 and 2)', () => {
    const sorted = ['2026-02', '2026-01-10', '2026-01', '2025-12-3', '2026-01-9', '2026-01-2'].sort(
      compareNoticeVersions,
    );
    expect(sorted).toEqual(['2025-12-3', '2026-01', '2026-01-2', '2026-01-9', '2026-01-10', '2026-02']);
    expect(compareNoticeVersions('2026-01', '2026-01')).toBe(0);
  });

  it('asks for renewed consent only when the agreed version is older than the current one', () => {
    expect(needsRenewal('2026-01', '2026-02')).toBe(true);
    expect(needsRenewal('2026-01', '2026-01-2')).toBe(true);
    expect(needsRenewal('2026-02', '2026-02')).toBe(false);
    expect(needsRenewal('not-a-version', '2026-02')).toBe(true);
  });

  it('refuses a bad format, a future month and a version that is not greater than the current one', () => {
    expect(versionRefusal('2026/03', '2026-01', '2026-06-15')).toBe('consentNotices.errors.versionFormat');
    expect(versionRefusal('2026-07', '2026-01', '2026-06-15')).toBe('consentNotices.errors.versionFuture');
    expect(versionRefusal('2026-01', '2026-01', '2026-06-15')).toBe('consentNotices.errors.versionNotGreater');
    expect(versionRefusal('2025-12', '2026-01', '2026-06-15')).toBe('consentNotices.errors.versionNotGreater');
    expect(versionRefusal('2026-01-2', '2026-01', '2026-06-15')).toBeNull();
    expect(versionRefusal('2026-06', '2026-01', '2026-06-15')).toBeNull();
  });

  it('suggests this month, or the next number in it', () => {
    expect(suggestedVersion('2026-01', '2026-06-15')).toBe('2026-06');
    expect(suggestedVersion('2026-06', '2026-06-15')).toBe('2026-06-2');
    expect(suggestedVersion('2026-06-9', '2026-06-15')).toBe('2026-06-10');
    expect(suggestedVersion('2026-06-99', '2026-06-15')).toBe('');
  });
});
