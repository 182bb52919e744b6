import type { SessionUser } from './actor';
import { ROLES_REQUIRING_TOTP } from './permissions';

/** The sign-in step a user still owes before the rest of the app, in order; null when done. */
export function pendingStep(user: SessionUser, totpVerified: boolean): string | null {
  if (user.mustChangePassword) return '/account/password';
  if (ROLES_REQUIRING_TOTP.includes(user.role)) {
    if (!user.totpEnabled) return '/account/totp';
    if (!totpVerified) return '/login/totp';
  }
  return null;
}
