/** The classification of an installation's failures, and the words the SPA has for every code the engine emits. */
import { describe, expect, it } from 'vitest';
import { BackupError, DiskFullError, DownloadError, InstallStepError, InsufficientDiskError } from '../../server/domain/errors/index.js';
import { classifyFailure, INSTALL_FAILURE_CODES } from '../../server/domain/install-failure.js';
import { INSTALL_NOTICE_CODES } from '../../server/domain/install-notices.js';
import { messages as downloadDe } from '../../web/src/i18n/notices/download.de.js';
import { messages as downloadEn } from '../../web/src/i18n/notices/download.en.js';
import { messages as downloadFr } from '../../web/src/i18n/notices/download.fr.js';
import { messages as installDe } from '../../web/src/i18n/notices/install.de.js';
import { messages as installEn } from '../../web/src/i18n/notices/install.en.js';
import { messages as installFr } from '../../web/src/i18n/notices/install.fr.js';

// A one-go installation fails with the download's codes too: their words are the download's.
const en = { ...downloadEn, ...installEn };
const de = { ...downloadDe, ...installDe };
const fr = { ...downloadFr, ...installFr };

describe('classifyFailure', () => {
  const sut = classifyFailure;

  it('keeps the code of a domain error, wherever it happens', () => {
    expect(sut('BACKUP', new BackupError('BACKUP_NOT_VERIFIED', 'differs')).code).toBe('BACKUP_NOT_VERIFIED');
    expect(sut('PREFLIGHT', new InstallStepError({ code: 'APPLIANCE_CHANGED', running: '8.1.3', expected: '8.1.0' })).code).toBe(
      'APPLIANCE_CHANGED',
    );
  });

  it('calls a full disk DISK_FULL, as a domain error or as the system says it', () => {
    expect(sut('APPLY', new DiskFullError('/x', 'ENOSPC')).code).toBe('DISK_FULL');
    expect(sut('MIGRATE', Object.assign(new Error('full'), { code: 'SQLITE_FULL' })).code).toBe('DISK_FULL');
  });

  it('words a failed download of a one-go installation as the download job does, with the same facts', () => {
    const failed = sut('DOWNLOAD', new DownloadError('HTTP_STATUS', 'HTTP 503', { status: 503 }));
    expect(failed.code).toBe('HTTP_STATUS');
    expect(failed.params).toEqual([
      { name: 'step', kind: 'TEXT', value: 'DOWNLOAD' },
      { name: 'status', kind: 'TEXT', value: '503' },
    ]);
    expect(sut('APPLY', Object.assign(new Error('no space'), { code: 'ENOSPC', path: '/var/x' })).params).toContainEqual({
      name: 'path',
      kind: 'TEXT',
      value: '/var/x',
    });
  });

  it('gives any other failure the code of its step, whatever code the error carries', () => {
    expect(sut('MIGRATE', new Error('exit 3')).code).toBe('MIGRATION_FAILED');
    expect(sut('HEALTHCHECK', Object.assign(new Error('x'), { code: 'SOMETHING_ELSE' })).code).toBe('HEALTHCHECK_FAILED');
    expect(sut('PREFLIGHT', new Error('x')).code).toBe('INSTALL_FAILED');
  });

  it('carries the structured fields as typed parameters', () => {
    expect(sut('PREFLIGHT', new InsufficientDiskError(2000, 1000)).params).toEqual([
      { name: 'step', kind: 'TEXT', value: 'PREFLIGHT' },
      { name: 'needed', kind: 'BYTES', value: '2000' },
      { name: 'free', kind: 'BYTES', value: '1000' },
    ]);
  });
});

describe('the SPA’s words for the engine', () => {
  for (const [locale, words] of Object.entries({ en, de, fr })) {
    it(`has ${locale} words for every notice and every failure code the engine can emit`, () => {
      const missing = [...INSTALL_NOTICE_CODES, ...INSTALL_FAILURE_CODES].filter((code) => !(`notice.${code}` in words));
      expect(missing).toEqual([]);
    });
  }
});
