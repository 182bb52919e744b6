import { Injectable } from '@nestjs/common';

/** The one source of "now", so tests can move time (session timeouts, lockouts, follow-ups). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Vietnam keeps UTC+7 all year (no daylight saving since 1975). */
const HANOI_OFFSET_MS = 7 * 60 * 60 * 1000;

/**
 * The calendar day (YYYY-MM-DD) of an instant in Hanoi: shifted by the fixed offset, read as UTC (several
 * times per request, and an Intl formatter in the Asia/Ho_Chi_Minh zone costs ~25 µs a call).
 * clock.spec.ts checks it against that formatter.
 */
export function localDay(instant: Date): string {
  return new Date(instant.getTime() + HANOI_OFFSET_MS).toISOString().slice(0, 10);
}
