import { en } from './en';
import { vi } from './vi';

export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'vi';

export const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);

type Tree = { [key: string]: string | Tree };

const flatten = (tree: Tree, prefix = ''): Map<string, string> => {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
};

const CATALOGS: Record<Language, Map<string, string>> = { vi: flatten(vi), en: flatten(en) };

/** Translates a message key; `{name}` placeholders are filled from vars. Unknown keys show as themselves. */
export function translate(lang: Language, key: string, vars: Record<string, unknown> = {}): string {
  const template = CATALOGS[lang].get(key) ?? CATALOGS[DEFAULT_LANGUAGE].get(key) ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}

export const hasMessage = (key: string): boolean => CATALOGS[DEFAULT_LANGUAGE].has(key);

/** Every key of one catalog missing from the other (a unit test keeps this empty). */
export function missingKeys(): { vi: string[]; en: string[] } {
  const viKeys = [...CATALOGS.vi.keys()];
  const enKeys = [...CATALOGS.en.keys()];
  return { vi: enKeys.filter((k) => !CATALOGS.vi.has(k)), en: viKeys.filter((k) => !CATALOGS.en.has(k)) };
}
