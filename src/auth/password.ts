import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id baseline (19 MiB, 2 iterations, 1 lane).
// `Algorithm` is a const enum, which isolated-module builds cannot read: 2 is Algorithm.Argon2id
// (checked by password.spec.ts).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export const verifyPassword = async (passwordHash: string, password: string): Promise<boolean> => {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
};

/** Spent on unknown usernames so that timing does not reveal whether an account exists. */
export const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$Amr5z+w68jYI5IFScew52w$BP4rnYDxU5FcUanWMIix3z1Ncpapf+zq9QyrM+yi6W4';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A temporary password an admin hands over; the user must replace it at first sign-in. */
export const temporaryPassword = (length = 16): string =>
  Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

export const PASSWORD_MIN_LENGTH = 12;
