import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { LoginThrottle } from './login-throttle.entity';

export interface FailurePolicy {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
}

@Injectable()
export class LoginThrottleRepository {
  constructor(@InjectRepository(LoginThrottle) private readonly throttles: Repository<LoginThrottle>) {}

  async lockedUntil(keys: string[], now: Date): Promise<Date | null> {
    const rows = await this.throttles.findBy({ key: In(keys) });
    const until = rows.map((r) => r.lockedUntil).filter((d): d is Date => !!d && d > now);
    return until.length ? new Date(Math.max(...until.map((d) => d.getTime()))) : null;
  }

  /** Counts one failure in the key's window, in one statement; returns true when it locks the key. */
  async recordFailure(key: string, now: Date, policy: FailurePolicy): Promise<boolean> {
    const windowStart = new Date(now.getTime() - policy.windowMs);
    const lockUntil = new Date(now.getTime() + policy.lockoutMs);
    const rows: Array<{ locked: boolean }> = await this.throttles.query(
      `INSERT INTO login_throttle AS t (key, failures, window_started_at, locked_until)
       VALUES ($1, 1, $2, CASE WHEN 1 >= $5 THEN $4::timestamptz END)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at < $3 THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at < $3 THEN $2 ELSE t.window_started_at END,
         locked_until = CASE
           WHEN (CASE WHEN t.window_started_at < $3 THEN 1 ELSE t.failures + 1 END) >= $5 THEN $4::timestamptz
           ELSE t.locked_until END
       RETURNING (locked_until = $4::timestamptz) AS locked`,
      [key, now, windowStart, lockUntil, policy.maxFailures],
    );
    return rows[0]?.locked === true;
  }

  async clear(key: string): Promise<void> {
    await this.throttles.delete({ key });
  }
}
