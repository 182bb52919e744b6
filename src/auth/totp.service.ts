import { Injectable } from '@nestjs/common';
import { authenticator } from 'otplib';
import { toDataURL } from 'qrcode';
import { FieldCipher } from '../privacy/field-cipher';

// One step (30 s) of tolerance either side for phone clocks that drift.
authenticator.options = { window: 1 };

/** TOTP (RFC 6238). Secrets are stored encrypted with the field cipher. */
@Injectable()
export class TotpService {
  constructor(private readonly cipher: FieldCipher) {}

  newSecretCipher(): string {
    return this.cipher.encrypt(authenticator.generateSecret());
  }

  async enrolment(username: string, secretCipher: string): Promise<{ secret: string; qrDataUrl: string }> {
    const secret = this.cipher.decrypt(secretCipher);
    // The issuer is neutral: it shows in the authenticator app on the user's phone.
    const uri = authenticator.keyuri(username, 'Nhip Cau', secret);
    return { secret, qrDataUrl: await toDataURL(uri, { margin: 1, width: 220 }) };
  }

  verify(code: string, secretCipher: string): boolean {
    return /^\d{6}$/.test(code) && authenticator.check(code, this.cipher.decrypt(secretCipher));
  }
}
