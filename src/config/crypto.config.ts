import { registerAs } from '@nestjs/config';
import { loadEnv } from './env';

/** "v1:<base64>,v2:<base64>" → Map of key id → 32-byte key. */
export function parseKeyRing(value: string): Map<string, Buffer> {
  return new Map(
    value.split(',').map((entry) => {
      const [id, key] = entry.split(':');
      return [id, Buffer.from(key, 'base64')] as const;
    }),
  );
}

export const cryptoConfig = registerAs('crypto', () => {
  const env = loadEnv();
  const keys = parseKeyRing(env.FIELD_KEYS);
  return {
    keys,
    activeKeyId: env.FIELD_KEY_ID ?? [...keys.keys()].at(-1)!,
    uicKey: Buffer.from(env.UIC_KEY, 'base64'),
  };
});
export type CryptoConfig = ReturnType<typeof cryptoConfig>;
