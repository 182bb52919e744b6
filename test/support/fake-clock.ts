import { Clock } from '../../src/clock/clock';

/** A clock the test moves by hand: real time plus an offset. */
export class FakeClock extends Clock {
  private offsetMs = 0;

  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

export const MINUTES = 60_000;
export const HOURS = 60 * MINUTES;
