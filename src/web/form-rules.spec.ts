import { wholeNumber } from './form-rules';

describe('whole numbers typed in a box', () => {
  it('reads digits within the range, spaces aside', () => {
    expect(wholeNumber(' 12 ', 0, 1000, 0)).toBe(12);
    expect(wholeNumber('1000', 0, 1000, 0)).toBe(1000);
  });

  it('gives the empty value for an emptied or absent box', () => {
    expect(wholeNumber('', 0, 10, 0)).toBe(0);
    expect(wholeNumber(undefined, 1, 10, null)).toBeNull();
  });

  it('refuses what is out of range, not whole, negative or not text', () => {
    for (const raw of ['1001', '-1', '1.5', '1e3', 'abc', ['1'], 3]) expect(wholeNumber(raw, 0, 1000, 0)).toBeNull();
    expect(wholeNumber('0', 1, 10, null)).toBeNull();
  });
});
