import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { authConfig, AuthConfig } from '../config/auth.config';
import { Clock } from '../clock/clock';
import { LoginThrottleRepository } from './login-throttle.repository';

const keyOf = (kind: 'account' | 'address', value: string) =>
  `${kind}:${createHash('sha256').update(value).digest('base64url')}`;

/**
 * Throttles password guessing per account and per address. Unknown usernames are counted the
 * same way as real ones, so a lockout never tells whether an account exists.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly throttleRepository: LoginThrottleRepository,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: AuthConfig,
  ) {}

  /** When the attempt is refused outright, the time the lock ends. */
  lockedUntil(username: string, address: string | null): Promise<Date | null> {
    return this.throttleRepository.lockedUntil(this.keys(username, address), this.clock.now());
  }

  /** Returns true when this failure locks the account or the address. */
  async recordFailure(username: string, address: string | null): Promise<boolean> {
    const now = this.clock.now();
    const { failureWindowMs: windowMs, lockoutMs } = this.config;
    const accountLocked = await this.throttleRepository.recordFailure(keyOf('account', username), now, {
      maxFailures: this.config.maxFailuresPerAccount,
      windowMs,
      lockoutMs,
    });
    const addressLocked = address
      ? await this.throttleRepository.recordFailure(keyOf('address', address), now, {
          maxFailures: this.config.maxFailuresPerAddress,
          windowMs,
          lockoutMs,
        })
      : false;
    return accountLocked || addressLocked;
  }

  recordSuccess(username: string): Promise<void> {
    return this.throttleRepository.clear(keyOf('account', username));
  }

  private keys(username: string, address: string | null): string[] {
    return address ? [keyOf('account', username), keyOf('address', address)] : [keyOf('account', username)];
  }
}
