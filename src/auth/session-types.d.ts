import 'express-session';
import type { Actor, SessionUser } from './actor';

declare module 'express-session' {
  interface SessionData {
    /** Epoch ms of sign-in (absolute timeout). */
    createdAt: number;
    /** Epoch ms of the last request (idle timeout). */
    lastSeenAt: number;
    /** Second factor checked in this session. */
    totpVerified: boolean;
    /** A TOTP secret being enrolled, encrypted with the field cipher. */
    pendingTotpCipher: string;
    /** Marks an anonymous session kept so the sign-in form's CSRF token stays valid. */
    signInStarted: boolean;
    /** The same for a provider's anonymous confirmation form (/confirm). */
    confirmationStarted: boolean;
    flash: { kind: 'success' | 'error'; key: string };
  }
}

declare global {
  namespace Express {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends SessionUser {}
    interface Request {
      actor?: Actor;
    }
  }
}
