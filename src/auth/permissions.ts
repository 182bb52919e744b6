/**
 * The whole role → permission matrix, as data. A route declares the permission it needs with
 * `@Can(...)`; the guard looks it up here. Adding a permission to a role is a reviewed change:
 * the route-access snapshot (test/security) shows it.
 */
export const ROLES = ['admin', 'manager', 'social_worker', 'peer_coordinator'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'home:view'
  | 'users:manage'
  | 'organizations:manage'
  | 'geography:manage'
  | 'audit:read'
  | 'clients:read'
  | 'clients:write'
  | 'clients:merge'
  | 'contacts:read'
  | 'contacts:write'
  | 'assessments:read'
  | 'assessments:write'
  | 'imports:run'
  | 'referrals:read'
  | 'referrals:write'
  | 'referrals:review'
  | 'providers:manage'
  | 'groups:read'
  | 'groups:write'
  | 'groups:manage'
  | 'groups:report'
  | 'indicators:view'
  | 'indicators:unsuppressed'
  | 'targets:manage'
  | 'consent:manage'
  | 'privacy:erase'
  | 'privacy:requests'
  | 'retention:manage';

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: [
    'home:view',
    'users:manage',
    'organizations:manage',
    'geography:manage',
    'providers:manage',
    'audit:read',
    'indicators:view',
    'indicators:unsuppressed',
    'targets:manage',
    'consent:manage',
    'retention:manage',
  ],
  manager: [
    'home:view',
    'audit:read',
    'clients:read',
    'clients:merge',
    'contacts:read',
    'contacts:write',
    'assessments:read',
    'imports:run',
    'referrals:read',
    'referrals:write',
    'referrals:review',
    'groups:read',
    'groups:write',
    'groups:manage',
    'groups:report',
    'indicators:view',
    'indicators:unsuppressed',
    'targets:manage',
    'privacy:erase',
    'privacy:requests',
  ],
  social_worker: [
    'home:view',
    'clients:read',
    'clients:write',
    'contacts:read',
    'contacts:write',
    'assessments:read',
    'assessments:write',
    'imports:run',
    'referrals:read',
    'referrals:write',
    'groups:read',
    'groups:write',
    'indicators:view',
    'privacy:requests',
  ],
  // Coordinators see their own groups and current members only (the scope lives in the queries), record
  // peer contacts for those members, and never open client pages, assessments or referrals.
  peer_coordinator: ['home:view', 'groups:read', 'groups:write', 'contacts:write', 'indicators:view'],
};

/** Roles that must use two-factor authentication before reaching any page. */
export const ROLES_REQUIRING_TOTP: readonly Role[] = ['admin', 'manager'];

export const isRole = (value: unknown): value is Role => ROLES.includes(value as Role);
