import { parseKeyRing } from '../config/crypto.config';
import { FieldCipher } from './field-cipher';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const cipherWith = (ring: string, activeKeyId: string) =>
  new FieldCipher({ keys: parseKeyRing(ring), activeKeyId, uicKey: Buffer.alloc(32) });

describe('FieldCipher', () => {
  it('round-trips Vietnamese text and never stores it in the clear', () => {
    const cipher = cipherWith(`v1:${key(1)}`, 'v1');
    const sealed = cipher.encrypt('Chị ấy cần tư vấn pháp lý');
    expect(sealed).not.toContain('tư vấn');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(cipher.decrypt(sealed)).toBe('Chị ấy cần tư vấn pháp lý');
  });

  it('uses a fresh nonce for every encryption', () => {
    const cipher = cipherWith(`v1:${key(1)}`, 'v1');
    expect(cipher.encrypt('same')).not.toBe(cipher.encrypt('same'));
  });

  it('reads text sealed with an older key after rotation', () => {
    const before = cipherWith(`v1:${key(1)}`, 'v1').encrypt('old note');
    const after = cipherWith(`v1:${key(1)},v2:${key(2)}`, 'v2');
    expect(after.decrypt(before)).toBe('old note');
    expect(after.encrypt('new').startsWith('v2:')).toBe(true);
  });

  it('refuses a tampered ciphertext', () => {
    const cipher = cipherWith(`v1:${key(1)}`, 'v1');
    const [id, iv, tag, data] = cipher.encrypt('note').split(':');
    const flipped = Buffer.from(data, 'base64');
    flipped[0] ^= 1;
    expect(() => cipher.decrypt([id, iv, tag, flipped.toString('base64')].join(':'))).toThrow();
  });
});
