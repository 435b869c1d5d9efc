/** Every refusal of the maintenance windows has words in English, German and French, naming the window at fault. */
import { describe, expect, it } from 'vitest';
import type { MaintenanceWindowErrorCode } from '../../server/domain/errors/index.js';
import { de } from '../../web/src/i18n/de.js';
import { en } from '../../web/src/i18n/en.js';
import { fr } from '../../web/src/i18n/fr.js';

/** A record, so that a new code fails the type check until it is listed here. */
const CODES: Record<MaintenanceWindowErrorCode, 'window' | 'setting'> = {
  UNKNOWN_TIME_ZONE: 'setting',
  INVALID_START_TIME: 'window',
  INVALID_LENGTH: 'window',
  NO_DAYS: 'window',
  DUPLICATE_DAYS: 'window',
  TOO_MANY_WINDOWS: 'setting',
};
const catalogs = { en, de, fr } as Record<string, Record<string, string>>;

describe('the words for maintenance-window refusals', () => {
  it.each(Object.keys(catalogs))('exist in %s for every code and for an unreachable server', (locale) => {
    const catalog = catalogs[locale]!;
    for (const code of [...Object.keys(CODES), 'NETWORK']) expect(catalog[`maintenance.error.${code}`], code).toBeTruthy();
  });

  it.each(Object.keys(catalogs))('name the window at fault in %s', (locale) => {
    const catalog = catalogs[locale]!;
    for (const [code, scope] of Object.entries(CODES))
      expect(catalog[`maintenance.error.${code}`]!.includes('{n}'), code).toBe(scope === 'window');
  });
});
