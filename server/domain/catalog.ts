/**
 * The vendor catalog (`catalog.json`, a TUF target): releases per channel with localized release
 * notes, bundles, upgrade paths and licence requirements, and the module versions with the system
 * versions each supports. Parsing is strict: a catalog that does not match is refused whole.
 */
import semver from 'semver';
import { z } from 'zod';
import { CatalogInvalidError } from './errors/index.js';

export const CATALOG_FORMAT_VERSIONS = [1] as const;
export const LOCALES = ['en', 'de', 'fr'] as const;
export type Locale = (typeof LOCALES)[number];
export const CHANNELS = ['stable', 'beta'] as const;
export type Channel = (typeof CHANNELS)[number];

const version = z.string().refine((v) => semver.valid(v) === v, 'must be a semver version like 8.1.3');
const range = z.string().refine((r) => semver.validRange(r) !== null, 'must be a semver range like >=8.0.0 <9.0.0');
const instant = z
  .string()
  .refine((s) => /(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 instant with a time zone');
const notes = z
  .object({ en: z.string().min(1).max(100_000), de: z.string().max(100_000).optional(), fr: z.string().max(100_000).optional() })
  .strict();
const targetName = z
  .string()
  .regex(/^[A-Za-z0-9._/-]+$/, 'must be a plain target path')
  .refine((s) => !s.split('/').includes('..'), 'must not contain ..');
const bundle = z.object({ target: targetName, size: z.number().int().positive() }).strict();

const releaseSchema = z
  .object({
    version,
    releasedAt: instant,
    notes,
    bundle,
    upgradableFrom: range,
    requiresLicenceMajor: z.number().int().min(0),
    modules: z.array(z.object({ id: z.string().min(1), version }).strict()).default([]),
  })
  .strict();

const moduleReleaseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a lowercase module id'),
    name: z.string().min(1),
    version,
    supportedSystem: range,
    bundle,
    notes: notes.optional(),
  })
  .strict();

const catalogSchema = z
  .object({
    formatVersion: z.literal(1),
    product: z.string().min(1),
    generatedAt: instant,
    channels: z.object({ stable: z.array(releaseSchema), beta: z.array(releaseSchema).default([]) }).strict(),
    modules: z.array(moduleReleaseSchema).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const channel of CHANNELS) {
      const seen = new Set<string>();
      for (const r of c.channels[channel]) {
        if (seen.has(r.version))
          ctx.addIssue({ code: 'custom', path: ['channels', channel], message: `version ${r.version} is listed twice` });
        seen.add(r.version);
      }
    }
    const modules = new Set<string>();
    for (const m of c.modules) {
      const key = `${m.id}@${m.version}`;
      if (modules.has(key)) ctx.addIssue({ code: 'custom', path: ['modules'], message: `module ${key} is listed twice` });
      modules.add(key);
    }
  });

export type Catalog = z.infer<typeof catalogSchema>;
export type Release = z.infer<typeof releaseSchema>;
export type ModuleRelease = z.infer<typeof moduleReleaseSchema>;

export function parseCatalog(json: unknown): Catalog {
  const format = (json as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof format === 'number' && !(CATALOG_FORMAT_VERSIONS as readonly number[]).includes(format)) {
    throw new CatalogInvalidError([`formatVersion ${format} is not supported (this Patchbay reads ${CATALOG_FORMAT_VERSIONS.join(', ')})`]);
  }
  const parsed = catalogSchema.safeParse(json);
  if (!parsed.success) throw new CatalogInvalidError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  return parsed.data;
}

/** Release notes in the asked language, falling back to English. */
/** The locale asked for when it is one of ours, else English. */
export function wantedLocale(locale: string | null | undefined): Locale {
  return (LOCALES as readonly string[]).includes(locale ?? '') ? (locale as Locale) : 'en';
}

export function notesFor(n: Release['notes'], locale: string | null | undefined): { markdown: string; locale: Locale } {
  const wanted = wantedLocale(locale);
  const text = n[wanted];
  return text ? { markdown: text, locale: wanted } : { markdown: n.en, locale: 'en' };
}
