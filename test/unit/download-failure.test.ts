import { describe, expect, it } from 'vitest';
import { downloadFailure } from '../../server/domain/download-failure.js';
import { DiskFullError, DownloadError, InsufficientDiskError, StagingError, UnsafeArchiveError } from '../../server/domain/errors/index.js';
import { messages } from '../../web/src/i18n/notices/download.en.js';

/** The parameters the words of a notice use, and those the notice carries, must agree. */
function expectWordsFit(n: { code: string; params: { name: string }[] }) {
  const used = [...(messages[`notice.${n.code}`] ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  expect(used.filter((name) => !n.params.some((p) => p.name === name))).toEqual([]);
}

describe('downloadFailure', () => {
  it('records a full disk as DISK_FULL with the file being written', () => {
    const sut = downloadFailure(new DiskFullError('/home/downloads/job/pbx.tar.gz.part', 'ENOSPC'));
    expect(sut).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/disk is full/) });
    expect(sut.notice).toEqual({
      code: 'DISK_FULL',
      params: [{ name: 'path', kind: 'TEXT', value: '/home/downloads/job/pbx.tar.gz.part' }],
    });
    expectWordsFit(sut.notice);
  });

  it('records too little room with both sizes as bytes, for the locale to format', () => {
    const sut = downloadFailure(new InsufficientDiskError(2_000_000, 1000));
    expect(sut.notice.params).toEqual([
      { name: 'needed', kind: 'BYTES', value: '2000000' },
      { name: 'free', kind: 'BYTES', value: '1000' },
    ]);
    expectWordsFit(sut.notice);
  });

  it('keeps the download codes, with the HTTP status or the system error where there is one', () => {
    const status = downloadFailure(new DownloadError('HTTP_STATUS', 'The server answered HTTP 403.', { status: 403 }));
    expect(status.notice).toEqual({ code: 'HTTP_STATUS', params: [{ name: 'status', kind: 'TEXT', value: '403' }] });
    const write = downloadFailure(new DownloadError('DISK_WRITE', 'Writing failed.', { errno: 'EIO' }));
    expect(write.notice).toEqual({ code: 'DISK_WRITE', params: [{ name: 'errno', kind: 'TEXT', value: 'EIO' }] });
    for (const code of ['CHECKSUM_MISMATCH', 'TOO_LARGE', 'NETWORK', 'CANCELLED'] as const) {
      expect(downloadFailure(new DownloadError(code, 'x')).notice).toEqual({ code, params: [] });
    }
    [status, write].forEach((f) => expectWordsFit(f.notice));
  });

  it('records a refused bundle with the number of problems and the first one', () => {
    const sut = downloadFailure(new UnsafeArchiveError(['a: a SymbolicLink entry', 'b: a path leaving the bundle (..)']));
    expect(sut.notice.params).toEqual([
      { name: 'problems', kind: 'COUNT', value: '2' },
      { name: 'first', kind: 'TEXT', value: 'a: a SymbolicLink entry' },
    ]);
    expectWordsFit(sut.notice);
  });

  it('records damaged staged files as what they are', () => {
    const sut = downloadFailure(new StagingError('STAGING_CORRUPT', 'not JSON', '/staging/job/release/manifest.json'));
    expect(sut.notice).toEqual({
      code: 'STAGING_CORRUPT',
      params: [{ name: 'path', kind: 'TEXT', value: '/staging/job/release/manifest.json' }],
    });
  });

  it('records anything unexpected as DOWNLOAD_FAILED with its message', () => {
    const sut = downloadFailure(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
    expect(sut).toMatchObject({ code: 'DOWNLOAD_FAILED', message: 'EIO: i/o error, read' });
    expect(sut.notice.params).toEqual([{ name: 'message', kind: 'TEXT', value: 'EIO: i/o error, read' }]);
    expectWordsFit(sut.notice);
  });
});
