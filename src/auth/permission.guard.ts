import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ACCESS_RULE, AccessRule } from './access.decorators';

/** May they do this? A route without a rule is closed: forgetting @Can never opens a route. */
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
    const actor = ctx.switchToHttp().getRequest<Request>().actor;
    if (!actor) throw new ForbiddenException();
    if (rule.kind === 'signed-in') return true;
    if (!rule.permissions.every((p) => actor.permissions.has(p))) throw new ForbiddenException();
    return true;
  }
}
