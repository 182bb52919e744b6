import { Injectable } from '@nestjs/common';

/** The one source of "now", so tests can move time (session timeouts, lockouts, follow-ups). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

// Built once: constructing an Intl formatter costs far more than formatting with it.
const HANOI_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The calendar day (YYYY-MM-DD) of an instant in Hanoi. */
export function localDay(instant: Date): string {
  return HANOI_DAY.format(instant);
}
