import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { cryptoConfig, CryptoConfig } from '../config/crypto.config';

/**
 * AES-256-GCM for free text before it reaches the database. A ciphertext reads
 * "<key id>:<iv>:<tag>:<data>" (base64 parts), so keys can be rotated: new text uses the active key,
 * older ciphertexts stay readable while their key is in the ring.
 */
@Injectable()
export class FieldCipher {
  constructor(@Inject(cryptoConfig.KEY) private readonly config: CryptoConfig) {}

  encrypt(plaintext: string): string {
    const keyId = this.config.activeKeyId;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyFor(keyId), iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [keyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  decrypt(ciphertext: string): string {
    const [keyId, iv, tag, data] = ciphertext.split(':');
    if (!keyId || !iv || !tag || data === undefined) throw new Error('Malformed ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.keyFor(keyId), Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }

  private keyFor(keyId: string): Buffer {
    const key = this.config.keys.get(keyId);
    if (!key) throw new Error(`Unknown field key id ${keyId}`);
    return key;
  }
}
