import {
  composeUic,
  newDisplayCode,
  normalizeComposedUic,
  normalizeDisplayCode,
  normalizeUicText,
  UicHasher,
} from './client-code';

const hasher = (byte: number) => new UicHasher({ keys: new Map(), activeKeyId: 'v1', uicKey: Buffer.alloc(32, byte) });

describe('client code (UIC)', () => {
  it.each([
    ['Đào', 'DAO'],
    ['đức', 'DUC'],
    ['Nguyễn Thị', 'NGUYENTHI'],
    ['  hương  ', 'HUONG'],
    ['Ỷ', 'Y'],
    ['Ưng', 'UNG'],
    ['ơ', 'O'],
  ])('normalizes %s to %s', (raw, expected) => {
    expect(normalizeUicText(raw)).toBe(expected);
  });

  it('composes the five parts in order, taking the first letters of whole names', () => {
    expect(composeUic({ mother: 'Lan', father: 'Hùng', sex: 'f', birthYear: '1992', own: 'Thảo' })).toEqual({
      ok: true,
      code: 'LAHUF92T',
    });
    expect(composeUic({ mother: 'đà', father: 'Đức', sex: 'M', birthYear: '85', own: 'đ' })).toEqual({
      ok: true,
      code: 'DADUM85D',
    });
  });

  it('uses XX for an unknown father', () => {
    expect(composeUic({ mother: 'Mai', father: '', sex: 'F', birthYear: '2001', own: 'Anh' })).toEqual({
      ok: true,
      code: 'MAXXF01A',
    });
    expect(composeUic({ mother: 'Mai', father: 'xx', sex: 'F', birthYear: '2001', own: 'Anh' })).toEqual({
      ok: true,
      code: 'MAXXF01A',
    });
  });

  it('pads a one-letter given name with X', () => {
    expect(composeUic({ mother: 'Ý', father: 'Ư', sex: 'F', birthYear: '1990', own: 'Lan' })).toEqual({
      ok: true,
      code: 'YXUXF90L',
    });
  });

  it('names every part that does not follow the recipe', () => {
    expect(composeUic({ mother: '1', father: 'H1', sex: 'X', birthYear: 'ab', own: '' })).toEqual({
      ok: false,
      invalid: ['mother', 'father', 'sex', 'birthYear', 'own'],
    });
  });

  it('normalizes a whole code typed or imported as one string', () => {
    expect(normalizeComposedUic(' la hu f 92 t ')).toBe('LAHUF92T');
    expect(normalizeComposedUic('ĐÀXXF01Á')).toBe('DAXXF01A');
    expect(normalizeComposedUic('LAHU-92T')).toBeNull();
  });

  it('hashes the same code to the same value every time, and differently under another key', () => {
    const a = hasher(1).hash('LAHUF92T');
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(hasher(1).hash('LAHUF92T')).toBe(a);
    expect(hasher(2).hash('LAHUF92T')).not.toBe(a);
    expect(a).not.toContain('LAHUF92T');
  });
});

describe('display codes', () => {
  it('look like K7F-2Q9 and use no ambiguous characters', () => {
    for (let i = 0; i < 200; i++) {
      const code = newDisplayCode();
      expect(code).toMatch(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
      expect(code).not.toMatch(/[01BILOSZ]/);
    }
  });

  it('are found however they are typed', () => {
    expect(normalizeDisplayCode('k7f 2q9')).toBe('K7F-2Q9');
    expect(normalizeDisplayCode('K7F2Q9')).toBe('K7F-2Q9');
    expect(normalizeDisplayCode('K7F-2Q')).toBeNull();
    expect(normalizeDisplayCode('O0O-000')).toBeNull();
  });
});
