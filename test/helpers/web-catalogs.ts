/**
 * The SPA's word catalogs, read by tests: the labels (`web/src/i18n/<locale>.ts`) and the words for
 * server notices (`web/src/i18n/notices/<area>.<locale>.ts`). Loaded at run time through vitest's
 * transform: they are the browser's TypeScript, outside the server's compilation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const CATALOG_LOCALES = ['en', 'de', 'fr'] as const;
export type CatalogLocale = (typeof CATALOG_LOCALES)[number];
export type Catalog = Record<string, string>;

const I18N_DIR = path.join(import.meta.dirname, '../../web/src/i18n');

const load = async (file: string): Promise<Record<string, unknown>> =>
  (await import(pathToFileURL(path.join(I18N_DIR, file)).href)) as Record<string, unknown>;

/** The labels of each locale, and the notice words of each locale (all areas merged). */
export async function webCatalogs(): Promise<Record<CatalogLocale, { labels: Catalog; notices: Catalog }>> {
  const out = {} as Record<CatalogLocale, { labels: Catalog; notices: Catalog }>;
  for (const locale of CATALOG_LOCALES) {
    out[locale] = { labels: (await load(`${locale}.ts`))[locale] as Catalog, notices: {} };
  }
  for (const file of fs.readdirSync(path.join(I18N_DIR, 'notices'))) {
    const locale = /\.(\w+)\.ts$/.exec(file)?.[1] as CatalogLocale | undefined;
    if (locale && CATALOG_LOCALES.includes(locale)) {
      Object.assign(out[locale].notices, (await load(`notices/${file}`)).messages as Catalog);
    }
  }
  return out;
}
