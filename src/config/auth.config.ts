import { registerAs } from '@nestjs/config';
import { loadEnv } from './env';

export const authConfig = registerAs('auth', () => {
  const env = loadEnv();
  return {
    sessionSecret: env.SESSION_SECRET,
    idleTimeoutMs: env.SESSION_IDLE_MINUTES * 60_000,
    absoluteTimeoutMs: env.SESSION_ABSOLUTE_HOURS * 3_600_000,
    cookieSecure: env.COOKIE_SECURE ?? env.NODE_ENV === 'production',
    /** Failed logins for one account within the window before it is locked. */
    maxFailuresPerAccount: 5,
    /** Failed logins from one address within the window before it is locked out. */
    maxFailuresPerAddress: 20,
    failureWindowMs: 15 * 60_000,
    lockoutMs: 15 * 60_000,
  };
});
export type AuthConfig = ReturnType<typeof authConfig>;
