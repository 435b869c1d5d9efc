/** The certificate files: a self-signed pair made once and reused, and typed errors for files that cannot serve. */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSelfSignedCertificate } from '../../../server/adapters/tls/self-signed-certificate.js';
import { readTlsMaterial } from '../../../server/adapters/tls/tls-material.js';
import { TlsMaterialError } from '../../../server/domain/errors/index.js';
import { makeTestCertificate } from '../../helpers/tls.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-tls-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function failure(certFile: string, keyFile: string): Promise<TlsMaterialError> {
  const err = await readTlsMaterial(certFile, keyFile).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TlsMaterialError);
  return err as TlsMaterialError;
}

describe('ensureSelfSignedCertificate', () => {
  it('makes a server certificate for the given names, with a key only its owner can read', async () => {
    const dir = path.join(tempDir(), 'tls');
    const sut = await ensureSelfSignedCertificate(
      dir,
      { dns: ['pbx', 'localhost'], ip: ['192.0.2.7', '::1'] },
      new Date('2026-12-01T12:00:00Z'),
    );
    expect(sut).toEqual({ certFile: path.join(dir, 'self-signed.crt'), keyFile: path.join(dir, 'self-signed.key'), generated: true });
    expect(fs.statSync(sut.keyFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const cert = new X509Certificate(fs.readFileSync(sut.certFile));
    expect(cert.subjectAltName).toBe('DNS:pbx, DNS:localhost, IP Address:192.0.2.7, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.ca).toBe(false);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2036);
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  it('reuses the pair of an earlier start', async () => {
    const dir = tempDir();
    const first = await ensureSelfSignedCertificate(dir, { dns: ['pbx'], ip: [] }, new Date());
    const pem = fs.readFileSync(first.certFile, 'utf8');
    const sut = await ensureSelfSignedCertificate(dir, { dns: ['other'], ip: [] }, new Date());
    expect(sut.generated).toBe(false);
    expect(fs.readFileSync(sut.certFile, 'utf8')).toBe(pem);
  });
});

describe('readTlsMaterial', () => {
  it('reads a pair and gives its fingerprint as openssl prints it', async () => {
    const made = await makeTestCertificate(tempDir());
    const sut = await readTlsMaterial(made.certFile, made.keyFile);
    expect(sut.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(sut.fingerprint256).toBe(made.fingerprint256);
  });

  it('says which file cannot be read', async () => {
    const made = await makeTestCertificate(tempDir());
    const err = await failure(path.join(made.dir, 'missing.pem'), made.keyFile);
    expect(err.code).toBe('TLS_FILE_UNREADABLE');
    expect(err.details).toEqual({ file: path.join(made.dir, 'missing.pem'), reason: 'ENOENT' });
  });

  it('refuses a certificate file that holds no certificate', async () => {
    const made = await makeTestCertificate(tempDir());
    fs.writeFileSync(made.certFile, 'not a certificate');
    expect((await failure(made.certFile, made.keyFile)).code).toBe('TLS_CERTIFICATE_INVALID');
  });

  it('refuses a key file that holds no key', async () => {
    const made = await makeTestCertificate(tempDir());
    expect((await failure(made.certFile, made.certFile)).code).toBe('TLS_KEY_INVALID');
  });

  it('refuses a key that belongs to another certificate', async () => {
    const a = await makeTestCertificate(tempDir());
    const b = await makeTestCertificate(tempDir());
    const err = await failure(a.certFile, b.keyFile);
    expect(err.code).toBe('TLS_KEY_MISMATCH');
    expect(err.details.file).toBe(b.keyFile);
  });
});
