import { SetMetadata } from '@nestjs/common';
import type { Permission } from './permissions';

export const ACCESS_RULE = 'access-rule';

/**
 * Every route states one rule; a route without one is closed (403) and the route-access
 * snapshot shows it. `signed-in` routes are the sign-in steps (password change, two-factor)
 * that a user reaches before the rest of the app.
 */
export type AccessRule = { kind: 'public' } | { kind: 'signed-in' } | { kind: 'permission'; permissions: Permission[] };

export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);
export const SignedIn = () => SetMetadata(ACCESS_RULE, { kind: 'signed-in' } satisfies AccessRule);
export const Can = (...permissions: Permission[]) =>
  SetMetadata(ACCESS_RULE, { kind: 'permission', permissions } satisfies AccessRule);
