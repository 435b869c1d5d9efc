/**
 * UI language: English, German or French; the browser's language by default, switchable, the
 * choice kept in localStorage and mirrored on <html lang>.
 */
import { computed, ref, watchEffect } from 'vue';
import { de } from '../i18n/de';
import { en, type MessageKey, type Messages } from '../i18n/en';
import { fr } from '../i18n/fr';

export const LOCALES = [
  { code: 'en', label: 'English' },
  { code: 'de', label: 'Deutsch' },
  { code: 'fr', label: 'Français' },
] as const;
export type Locale = (typeof LOCALES)[number]['code'];

const CATALOGS: Record<Locale, Messages> = { en, de, fr };

/**
 * The words for server notices (`notice.<CODE>`), one file per area and locale:
 * `i18n/notices/<area>.<locale>.ts`, each `export const messages: Record<string, string>`.
 */
const NOTICE_FILES = import.meta.glob<Record<string, string>>('../i18n/notices/*.ts', { eager: true, import: 'messages' });
const NOTICES: Record<Locale, Record<string, string>> = { en: {}, de: {}, fr: {} };
for (const [file, messages] of Object.entries(NOTICE_FILES)) {
  const code = /\.(\w+)\.ts$/.exec(file)?.[1];
  if (isLocale(code)) Object.assign(NOTICES[code], messages);
}

/** A server notice: a code and typed parameters (see `Notice` in the schema). */
export interface NoticeLike {
  code: string;
  params: readonly { name: string; kind: string; value: string }[];
}
const STORAGE_KEY = 'patchbay.locale';

function isLocale(value: unknown): value is Locale {
  return LOCALES.some((l) => l.code === value);
}

function initialLocale(): Locale {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (isLocale(stored)) return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}

const locale = ref<Locale>(initialLocale());
watchEffect(() => {
  document.documentElement.lang = locale.value;
});

export function useI18n() {
  const messages = computed(() => CATALOGS[locale.value]);
  function t(key: MessageKey, params: Record<string, string | number> = {}): string {
    return messages.value[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
  }
  /** For keys built from server codes: is there a message for it? */
  function has(key: string): key is MessageKey {
    return key in en;
  }
  function setLocale(next: Locale) {
    locale.value = next;
    localStorage.setItem(STORAGE_KEY, next);
  }
  function formatDateTime(iso: string): string {
    return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
  }
  function formatBytes(bytes: number): string {
    const units = ['B', 'kB', 'MB', 'GB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit += 1;
    }
    return `${new Intl.NumberFormat(locale.value, { maximumFractionDigits: unit ? 1 : 0 }).format(value)} ${units[unit]}`;
  }
  /** A duration in words ("40 milliseconds", "3 seconds", "4 minutes"), with a decimal below ten seconds. */
  function formatDuration(seconds: number): string {
    const unit = (value: number, name: 'millisecond' | 'second' | 'minute' | 'hour', digits = 0) =>
      new Intl.NumberFormat(locale.value, { style: 'unit', unit: name, unitDisplay: 'long', maximumFractionDigits: digits }).format(value);
    if (seconds < 0.95) return unit(Math.round(seconds * 1000), 'millisecond');
    if (seconds < 10) return unit(Math.round(seconds * 10) / 10, 'second', 1);
    if (seconds < 90) return unit(Math.round(seconds), 'second');
    if (seconds < 90 * 60) return unit(Math.round(seconds / 60), 'minute');
    return unit(Math.round(seconds / 360) / 10, 'hour', 1);
  }
  /**
   * A server notice in the admin's language, its sizes and durations formatted for the locale;
   * `fallback` (the server's English message) only where no words exist for the code.
   */
  function notice(n: NoticeLike | null | undefined, fallback = ''): string {
    if (!n) return fallback;
    const words = NOTICES[locale.value][`notice.${n.code}`];
    if (words === undefined) return fallback;
    const params: Record<string, string> = {};
    for (const p of n.params) {
      if (p.kind === 'BYTES') params[p.name] = formatBytes(Number(p.value));
      else if (p.kind === 'MILLISECONDS') params[p.name] = formatDuration(Number(p.value) / 1000);
      else if (p.kind === 'COUNT') params[p.name] = new Intl.NumberFormat(locale.value).format(Number(p.value));
      else params[p.name] = p.value;
    }
    return words.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
  }
  /** Whether the SPA has words for a notice code (tests check that every code the server sends has them). */
  function hasNotice(code: string): boolean {
    return `notice.${code}` in NOTICES[locale.value];
  }
  function formatDate(iso: string): string {
    return new Intl.DateTimeFormat(locale.value, { dateStyle: 'long' }).format(new Date(iso));
  }
  return { locale, t, has, setLocale, formatDateTime, formatDate, formatBytes, formatDuration, notice, hasNotice };
}
