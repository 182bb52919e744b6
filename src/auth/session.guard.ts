import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuditService, actorContext } from '../audit/audit.service';
import { Clock } from '../clock/clock';
import { authConfig, AuthConfig } from '../config/auth.config';
import { PendingStepException, SignInRequiredException } from '../web/render-errors.filter';
import { ACCESS_RULE, AccessRule } from './access.decorators';
import { clientAddress, toActor } from './actor';
import { pendingStep } from './sign-in-steps';

/**
 * Who is this? Public routes pass. Every other route needs a live session: not idle for longer than
 * the idle timeout, not older than the absolute lifetime. Routes guarded by a permission also need
 * every sign-in step done (own password chosen, second factor checked).
 */
const ACTIVITY_RESOLUTION_MS = 60_000;

@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clock: Clock,
    private readonly auditService: AuditService,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (rule?.kind === 'public') return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const user = req.user;
    if (!user || !req.session?.createdAt) throw new SignInRequiredException();

    const now = this.clock.now().getTime();
    const idle = now - (req.session.lastSeenAt ?? 0) > this.config.idleTimeoutMs;
    const tooOld = now - req.session.createdAt > this.config.absoluteTimeoutMs;
    if (idle || tooOld) {
      await this.auditService.record(null, actorContext(toActor(user), clientAddress(req)), {
        action: 'auth.session_expired',
        details: { reason: idle ? 'idle' : 'absolute' },
      });
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      throw new SignInRequiredException('expired');
    }
    // Writing the session costs a database write: note activity at most once a minute (the idle
    // timeout is therefore enforced to within a minute).
    if (now - (req.session.lastSeenAt ?? 0) > ACTIVITY_RESOLUTION_MS) req.session.lastSeenAt = now;
    req.actor = toActor(user);

    if (rule?.kind === 'permission') {
      const step = pendingStep(user, req.session.totpVerified === true);
      if (step) throw new PendingStepException(step);
    }
    return true;
  }
}
