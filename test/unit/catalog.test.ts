import { describe, expect, it } from 'vitest';
import { notesFor, parseCatalog } from '../../server/domain/catalog.js';
import { CatalogInvalidError } from '../../server/domain/errors/index.js';

const valid = () => ({
  formatVersion: 1,
  product: 'patchbay-demo-pbx',
  generatedAt: '2026-11-01T00:00:00Z',
  channels: {
    stable: [
      {
        version: '8.1.3',
        releasedAt: '2026-09-01T08:00:00+02:00',
        notes: { en: '# 8.1.3', de: '# 8.1.3 (de)' },
        bundle: { target: 'releases/pbx-8.1.3.tar.gz', size: 1234 },
        upgradableFrom: '>=8.0.0 <8.1.3',
        requiresLicenceMajor: 8,
        modules: [{ id: 'fax', version: '2.1.0' }],
      },
    ],
    beta: [],
  },
  modules: [
    {
      id: 'fax',
      name: 'Fax',
      version: '2.1.0',
      supportedSystem: '>=8.0.0 <9.0.0',
      bundle: { target: 'modules/fax-2.1.0.tar.gz', size: 10 },
    },
  ],
});

describe('parseCatalog', () => {
  it('accepts a valid catalog', () => {
    expect(parseCatalog(valid()).channels.stable[0]!.version).toBe('8.1.3');
  });

  it.each([
    [
      'an unsupported format version',
      (c: ReturnType<typeof valid>) => Object.assign(c, { formatVersion: 2 }),
      /formatVersion 2 is not supported/,
    ],
    ['an invalid version', (c: ReturnType<typeof valid>) => (c.channels.stable[0]!.version = '8.1'), /version: must be a semver version/],
    ['an invalid range', (c: ReturnType<typeof valid>) => (c.channels.stable[0]!.upgradableFrom = '>>8'), /upgradableFrom/],
    [
      'a date without a time zone',
      (c: ReturnType<typeof valid>) => (c.channels.stable[0]!.releasedAt = '2026-09-01T08:00:00'),
      /releasedAt/,
    ],
    ['a duplicated version', (c: ReturnType<typeof valid>) => c.channels.stable.push({ ...c.channels.stable[0]! }), /listed twice/],
    ['an unknown field', (c: ReturnType<typeof valid>) => Object.assign(c, { extra: true }), /Unrecognized key/],
    ['a bundle path with ..', (c: ReturnType<typeof valid>) => (c.channels.stable[0]!.bundle.target = '../etc/passwd'), /bundle.target/],
    ['missing English notes', (c: ReturnType<typeof valid>) => (c.channels.stable[0]!.notes = { de: 'x' } as never), /notes.en/],
  ])('refuses %s', (_name, mutate, message) => {
    const c = valid();
    mutate(c);
    expect(() => parseCatalog(c)).toThrow(CatalogInvalidError);
    expect(() => parseCatalog(c)).toThrow(message);
  });
});

describe('notesFor', () => {
  const notes = { en: 'english', de: 'deutsch' };
  it('gives the asked language when present', () => expect(notesFor(notes, 'de')).toEqual({ markdown: 'deutsch', locale: 'de' }));
  it('falls back to English when the language is missing', () =>
    expect(notesFor(notes, 'fr')).toEqual({ markdown: 'english', locale: 'en' }));
  it('falls back to English for an unknown locale', () => expect(notesFor(notes, 'xx')).toEqual({ markdown: 'english', locale: 'en' }));
});
