import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditContext, AuditService } from '../audit/audit.service';
import { LoginThrottleRepository } from '../auth/login-throttle.repository';
import { Clock } from '../clock/clock';
import { ConfirmationOutcome, ReferralsService } from '../referrals/referrals.service';
import { normalizeSlipCode } from '../referrals/slip';

const MINUTES = 60_000;
/** Wrong code/PIN pairs allowed per referral code, then the code is locked for a while. */
const PER_CODE = { maxFailures: 5, windowMs: 15 * MINUTES, lockoutMs: 30 * MINUTES };
/** And per address, so one visitor cannot walk through many codes. */
const PER_ADDRESS = { maxFailures: 20, windowMs: 15 * MINUTES, lockoutMs: 15 * MINUTES };

const keyOf = (kind: 'slip' | 'confirm-address', value: string) =>
  `${kind}:${createHash('sha256').update(value).digest('base64url')}`;

export type ConfirmationAnswer = ConfirmationOutcome | { kind: 'locked'; minutes: number };

/**
 * The public confirmation page's rules around ReferralsService.confirmByProvider: attempts are throttled
 * per referral code and per address (a 6-digit PIN must not be guessable), and every refusal is audited.
 */
@Injectable()
export class ConfirmationsService {
  constructor(
    private readonly referralsService: ReferralsService,
    private readonly throttleRepository: LoginThrottleRepository,
    private readonly auditService: AuditService,
    private readonly clock: Clock,
  ) {}

  today(): string {
    return this.referralsService.today();
  }

  async confirm(
    context: AuditContext,
    address: string | null,
    code: string,
    pin: string,
    servedOn: string,
  ): Promise<ConfirmationAnswer> {
    const now = this.clock.now();
    const keys = [keyOf('slip', normalizeSlipCode(code)), ...(address ? [keyOf('confirm-address', address)] : [])];
    const lockedUntil = await this.throttleRepository.lockedUntil(keys, now);
    if (lockedUntil) return { kind: 'locked', minutes: Math.ceil((lockedUntil.getTime() - now.getTime()) / MINUTES) };

    const outcome = await this.referralsService.confirmByProvider(context, code, pin, servedOn);
    if (outcome.kind === 'refused') {
      await this.throttleRepository.recordFailure(keys[0], now, PER_CODE);
      if (keys[1]) await this.throttleRepository.recordFailure(keys[1], now, PER_ADDRESS);
      await this.auditService.record(null, context, {
        action: 'referral.confirmation_failed',
        outcome: 'failure',
        details: { reason: 'code_or_pin' },
      });
    } else if (outcome.kind !== 'confirmed' && outcome.kind !== 'date') {
      // The right code and PIN on a slip that can no longer confirm anything (expired, closed, done).
      await this.auditService.record(null, context, {
        action: 'referral.confirmation_failed',
        outcome: 'failure',
        details: { reason: outcome.kind },
      });
    } else if (outcome.kind === 'confirmed') {
      await this.throttleRepository.clear(keys[0]);
    }
    return outcome;
  }
}
