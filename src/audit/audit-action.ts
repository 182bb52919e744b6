/** The closed vocabulary of the audit trail. Details never carry personal data or free text. */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.locked_out',
  'auth.logout',
  'auth.session_expired',
  'auth.password_changed',
  'auth.totp_enrolled',
  'auth.totp_failed',
  'user.created',
  'user.updated',
  'user.deactivated',
  'user.activated',
  'user.password_reset',
  'user.totp_reset',
  'user.signed_out_everywhere',
  'organization.created',
  'organization.updated',
  'district.created',
  'district.updated',
  'audit.viewed',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
