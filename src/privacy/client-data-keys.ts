import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { FieldCipher, open, seal } from './field-cipher';

/** Marks text sealed with a client's own data key. */
const CLIENT_KEY_ID = 'c';

/**
 * Every client has a data key of their own, stored wrapped (encrypted) by the application key ring.
 * Their alias and every note about them are sealed with it, so destroying that one wrapped key on
 * erasure makes every copy of their text unreadable, backups included (crypto-shredding).
 */
@Injectable()
export class ClientDataKeys {
  constructor(private readonly cipher: FieldCipher) {}

  /** A fresh key, wrapped for storage on the client row. */
  newWrappedKey(): string {
    return this.cipher.encrypt(randomBytes(32).toString('base64'));
  }

  encrypt(wrappedKey: string, plaintext: string): string {
    return seal(CLIENT_KEY_ID, this.unwrap(wrappedKey), plaintext);
  }

  decrypt(wrappedKey: string, ciphertext: string): string {
    const key = this.unwrap(wrappedKey);
    return open(ciphertext, () => key);
  }

  /** Re-wraps under the active application key (key rotation); the client key itself is unchanged. */
  rewrap(wrappedKey: string): string {
    return this.cipher.encrypt(this.cipher.decrypt(wrappedKey));
  }

  private unwrap(wrappedKey: string): Buffer {
    return Buffer.from(this.cipher.decrypt(wrappedKey), 'base64');
  }
}
