import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Permission, Role, ROLE_PERMISSIONS } from './permissions';

/** The signed-in user as routes see it, rebuilt from the database on every request. */
export interface Actor {
  userId: string;
  username: string;
  role: Role;
  /** The actor's own organization: the only one whose records they may open. */
  organizationId: string;
  /** Own organization plus those granted by an admin (managers): aggregates only for the others. */
  organizationIds: string[];
  permissions: ReadonlySet<Permission>;
}

/** What passport keeps on `req.user` after deserializing the session. */
export interface SessionUser {
  id: string;
  username: string;
  role: Role;
  organizationId: string;
  grantedOrganizationIds: string[];
  mustChangePassword: boolean;
  totpEnabled: boolean;
}

export const toActor = (user: SessionUser): Actor => ({
  userId: user.id,
  username: user.username,
  role: user.role,
  organizationId: user.organizationId,
  organizationIds: [...new Set([user.organizationId, ...user.grantedOrganizationIds])],
  permissions: new Set(ROLE_PERMISSIONS[user.role]),
});

export const actorOf = (req: Request): Actor | undefined => req.actor;

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = actorOf(ctx.switchToHttp().getRequest<Request>());
  if (!actor) throw new Error('CurrentActor used on a route without a signed-in actor');
  return actor;
});

/** Client address for the audit trail (honours TRUST_PROXY through Express). */
export const clientAddress = (req: Request): string | null => (req.ip ?? null)?.slice(0, 64) ?? null;

export const RequestAddress = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  clientAddress(ctx.switchToHttp().getRequest<Request>()),
);
