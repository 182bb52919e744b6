import type { HelperOptions } from 'handlebars';
import { TIME_ZONE } from '../clock/clock';
import { DEFAULT_LANGUAGE, isLanguage, Language, translate } from '../i18n/i18n';

const langOf = (options: HelperOptions): Language => {
  const lang: unknown = options.data?.root?.lang;
  return isLanguage(lang) ? lang : DEFAULT_LANGUAGE;
};

/** `{{t "users.created" username=name}}`; a key may carry its own values: "validation.tooLong|max=200". */
export function t(this: unknown, key: unknown, options: HelperOptions): string {
  const [messageKey, ...pairs] = String(key ?? '').split('|');
  const inline = Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
  return translate(langOf(options), messageKey, { ...inline, ...options.hash });
}

/** dd/mm/yyyy in Vietnamese, the same day order in English; days in Hanoi time. */
export function formatDate(value: unknown): string {
  if (!(value instanceof Date) && typeof value !== 'string') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  }).format(date);
}

export function formatDateTime(value: unknown): string {
  if (!(value instanceof Date) && typeof value !== 'string') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: TIME_ZONE,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(date);
}

export const eq = (a: unknown, b: unknown): boolean => String(a) === String(b);

/** `{{#if (includes list value)}}` for checkboxes and multi-selects. */
export const includes = (list: unknown, value: unknown): boolean =>
  Array.isArray(list) && list.map(String).includes(String(value));

export const HELPERS = { t, formatDate, formatDateTime, eq, includes };
