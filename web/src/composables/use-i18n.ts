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
  function setLocale(next: Locale) {
    locale.value = next;
    localStorage.setItem(STORAGE_KEY, next);
  }
  function formatDateTime(iso: string): string {
    return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
  }
  return { locale, t, setLocale, formatDateTime };
}
