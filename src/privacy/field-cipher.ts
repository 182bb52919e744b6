import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { cryptoConfig, CryptoConfig } from '../config/crypto.config';

/** AES-256-GCM: "<key id>:<iv>:<tag>:<data>" with base64 parts. */
export function seal(keyId: string, key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

export function open(ciphertext: string, keyFor: (keyId: string) => Buffer): string {
  const [keyId, iv, tag, data] = ciphertext.split(':');
  if (!keyId || !iv || !tag || data === undefined) throw new Error('Malformed ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', keyFor(keyId), Buffer.from(iv, 'base64'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
}

/**
 * Free text is encrypted in the application before it reaches the database. New text uses the
 * active key of the ring; older ciphertexts stay readable while their key is in the ring, so keys
 * can be rotated (`npm run cli -- keys:rotate`).
 */
@Injectable()
export class FieldCipher {
  constructor(@Inject(cryptoConfig.KEY) private readonly config: CryptoConfig) {}

  get activeKeyId(): string {
    return this.config.activeKeyId;
  }

  encrypt(plaintext: string): string {
    return seal(this.config.activeKeyId, this.keyFor(this.config.activeKeyId), plaintext);
  }

  decrypt(ciphertext: string): string {
    return open(ciphertext, (keyId) => this.keyFor(keyId));
  }

  private keyFor(keyId: string): Buffer {
    const key = this.config.keys.get(keyId);
    if (!key) throw new Error(`Unknown field key id ${keyId}`);
    return key;
  }
}
