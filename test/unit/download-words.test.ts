/**
 * Every code the admin can meet around a download has words in English, German and French: each
 * error `scheduleDownload` and `install` can return (read from the printed schema), each event of
 * a download job and each reason one fails (read from the server's code lists).
 */
import fs from 'node:fs';
import { buildSchema, isObjectType, isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from '../../schema/print.js';
import { DOWNLOAD_FAILURE_CODES } from '../../server/domain/download-failure.js';
import { DOWNLOAD_NOTICE_CODES } from '../../server/domain/download-notices.js';
import { de } from '../../web/src/i18n/de.js';
import { en } from '../../web/src/i18n/en.js';
import { fr } from '../../web/src/i18n/fr.js';
import { messages as noticesDe } from '../../web/src/i18n/notices/download.de.js';
import { messages as noticesEn } from '../../web/src/i18n/notices/download.en.js';
import { messages as noticesFr } from '../../web/src/i18n/notices/download.fr.js';

const schema = buildSchema(fs.readFileSync(SCHEMA_FILE, 'utf8'));

/** The codes of an error type: its description's "Codes: A, B." list, or the one its name says (FooBarError → FOO_BAR). */
function codesOf(typeName: string): string[] {
  const type = schema.getType(typeName)!;
  const listed = /Codes: ([A-Z_, ]+)\./.exec(type.description ?? '')?.[1];
  if (listed) return listed.split(',').map((c) => c.trim());
  return [
    typeName
      .replace(/Error$/, '')
      .replace(/([a-z])([A-Z])/g, '$1_$2')
      .toUpperCase(),
  ];
}

/** The error codes a mutation's result union can carry. */
function errorCodes(unionName: string): string[] {
  const union = schema.getType(unionName);
  if (!isUnionType(union)) throw new Error(`${unionName} is not a union`);
  return union
    .getTypes()
    .filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === 'Error'))
    .flatMap((t) => codesOf(t.name));
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const catalogs = { en, de, fr } as Record<string, Record<string, string>>;
const noticeCatalogs = { en: noticesEn, de: noticesDe, fr: noticesFr };

describe('words for download and install refusals', () => {
  it('reads the codes from the schema (the test itself is sound)', () => {
    expect(errorCodes('ScheduleDownloadResult')).toEqual(
      expect.arrayContaining(['INSUFFICIENT_DISK', 'UNKNOWN_MODULE', 'MODULE_VERSION_INCOMPATIBLE', 'VERSION_NOT_FOUND', 'INVALID_INPUT']),
    );
    expect(errorCodes('InstallResult')).toEqual(expect.arrayContaining(['JOB_NOT_READY', 'OPERATION_IN_PROGRESS', 'NOT_FOUND']));
  });

  for (const [union, area] of [
    ['ScheduleDownloadResult', 'download'],
    ['InstallResult', 'install'],
  ] as const) {
    for (const locale of ['en', 'de', 'fr']) {
      it(`has ${locale} words for every error ${union} can carry`, () => {
        const missing = errorCodes(union).filter((code) => !(`${area}.error.${code}` in catalogs[locale]!));
        expect(missing).toEqual([]);
      });
    }
  }
});

describe('words for download notices', () => {
  const codes = [...DOWNLOAD_NOTICE_CODES, ...DOWNLOAD_FAILURE_CODES];

  for (const [locale, words] of Object.entries(noticeCatalogs)) {
    it(`has ${locale} words for every event and failure code of a download job`, () => {
      expect(codes.filter((code) => !(`notice.${code}` in words))).toEqual([]);
    });
  }

  it('uses the same parameters in German and French as in English', () => {
    for (const key of Object.keys(noticesEn)) {
      expect([key, placeholders(noticesDe[key] ?? '')]).toEqual([key, placeholders(noticesEn[key]!)]);
      expect([key, placeholders(noticesFr[key] ?? '')]).toEqual([key, placeholders(noticesEn[key]!)]);
    }
  });

  it('has no words for codes the server does not send', () => {
    expect(Object.keys(noticesEn).filter((key) => !codes.includes(key.replace(/^notice\./, '') as never))).toEqual([]);
  });
});
