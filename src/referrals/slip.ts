import { randomInt, timingSafeEqual } from 'node:crypto';
import { DISPLAY_CODE_ALPHABET } from '../privacy/client-code';
import { addDays } from '../web/days';

/**
 * The referral slip's codes. The referral code (`HK4T-9QWE`) names the referral for the receiving
 * provider; the 6-digit PIN proves they hold the slip. The code alone confirms nothing, and neither
 * says anything about the client.
 */
export const SLIP_CODE = /^[A-Z0-9]{4}-[A-Z0-9]{4}$/;
export const PIN = /^\d{6}$/;

/** Days the slip stays valid after the referral (or after the appointment, if that is later). */
export const SLIP_VALID_DAYS = 90;
export const SLIP_VALID_AFTER_APPOINTMENT_DAYS = 30;

export function newSlipCode(): string {
  const pick = () => DISPLAY_CODE_ALPHABET[randomInt(DISPLAY_CODE_ALPHABET.length)];
  const half = () => Array.from({ length: 4 }, pick).join('');
  return `${half()}-${half()}`;
}

export const newPin = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** What a provider types, tidied: upper case, no spaces, the hyphen put back if left out. */
export function normalizeSlipCode(text: string): string {
  const compact = text.toUpperCase().replace(/[\s-]/g, '');
  return compact.length === 8 ? `${compact.slice(0, 4)}-${compact.slice(4)}` : compact;
}

export const samePin = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The last day the slip may be confirmed. */
export function slipExpiry(referredOn: string, appointmentOn: string | null): string {
  const afterReferral = addDays(referredOn, SLIP_VALID_DAYS);
  const afterAppointment = appointmentOn ? addDays(appointmentOn, SLIP_VALID_AFTER_APPOINTMENT_DAYS) : '';
  return afterAppointment > afterReferral ? afterAppointment : afterReferral;
}
