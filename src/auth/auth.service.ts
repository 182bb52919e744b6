import { Inject, Injectable } from '@nestjs/common';
import { AuditService, anonymousContext } from '../audit/audit.service';
import { authConfig, AuthConfig } from '../config/auth.config';
import { Clock } from '../clock/clock';
import { UsersService } from '../users/users.service';
import type { SessionUser } from './actor';
import { LoginThrottleService } from './login-throttle.service';
import { DUMMY_HASH, verifyPassword } from './password';

export type SignInResult =
  { ok: true; user: SessionUser } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; minutes: number };

@Injectable()
export class AuthService {
  constructor(
    private readonly usersService: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /**
   * Checks a username and password. The answer never tells whether the username exists:
   * unknown names cost the same hashing time and are throttled the same way.
   */
  async verifyCredentials(rawUsername: string, password: string, address: string | null): Promise<SignInResult> {
    const username = rawUsername.trim().toLowerCase().slice(0, 60);
    const context = anonymousContext(address);
    const lockedUntil = await this.throttle.lockedUntil(username, address);
    if (lockedUntil) {
      await this.auditService.record(null, context, {
        action: 'auth.login_failed',
        outcome: 'denied',
        details: { reason: 'locked' },
      });
      return { ok: false, reason: 'locked', minutes: this.minutesUntil(lockedUntil) };
    }
    const user = await this.usersService.findByUsername(username);
    const passwordOk = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, password);
    if (user && user.active && passwordOk) {
      await this.throttle.recordSuccess(username);
      const sessionUser = await this.usersService.loadSessionUser(user.id);
      if (sessionUser) return { ok: true, user: sessionUser };
    }
    const nowLocked = await this.throttle.recordFailure(username, address);
    const failureContext = user ? { ...context, actorUserId: user.id, organizationId: user.organizationId } : context;
    await this.auditService.record(null, failureContext, {
      action: 'auth.login_failed',
      outcome: 'failure',
      details: { reason: user ? (user.active ? 'password' : 'inactive') : 'unknown_user' },
    });
    if (nowLocked) {
      await this.auditService.record(null, failureContext, { action: 'auth.locked_out', outcome: 'denied' });
      return { ok: false, reason: 'locked', minutes: Math.ceil(this.config.lockoutMs / 60_000) };
    }
    return { ok: false, reason: 'invalid' };
  }

  private minutesUntil(until: Date): number {
    return Math.max(1, Math.ceil((until.getTime() - this.clock.now().getTime()) / 60_000));
  }
}
