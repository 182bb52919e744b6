import { missingKeys, translate } from './i18n';

describe('message catalogs', () => {
  it('have the same keys in Vietnamese and English', () => {
    expect(missingKeys()).toEqual({ vi: [], en: [] });
  });

  it('fill placeholders and leave unknown ones visible', () => {
    expect(translate('en', 'login.locked', { minutes: 15 })).toContain('15 minutes');
    expect(translate('en', 'common.pageOf', { page: 1 })).toContain('{pages}');
  });

  it('show an unknown key as itself rather than failing', () => {
    expect(translate('vi', 'no.such.key')).toBe('no.such.key');
  });
});
