import { CanActivate, ExecutionContext, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ACCESS_RULE, AccessRule } from './access.decorators';

/**
 * May they do this? A route without a rule is closed: forgetting @Can never opens a route.
 *
 * A route that names a record in its path (`/clients/:id`, `/groups/:id/sessions/new`…) answers 404,
 * not 403, to a role without its permission, for every role: a record route never confirms that a
 * record exists (MISSION §2 rule 4), and the answer is the same as for a record outside one's scope.
 * Routes without a parameter (lists, forms to create) still answer 403.
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!rule) throw new ForbiddenException();
    if (rule.kind === 'public') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const actor = req.actor;
    if (!actor) throw new ForbiddenException();
    if (rule.kind === 'signed-in') return true;
    if (!rule.permissions.every((p) => actor.permissions.has(p))) {
      throw namesRecord(req) ? new NotFoundException() : new ForbiddenException();
    }
    return true;
  }
}

const namesRecord = (req: Request): boolean => Object.keys(req.params ?? {}).length > 0;
