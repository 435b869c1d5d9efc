/**
 * Reads a certificate and its private key from PEM files and checks that they make a usable pair,
 * so that a bad file is a typed error at start or on reload rather than a TLS handshake failure later.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fsp from 'node:fs/promises';
import { TlsMaterialError } from '../../domain/errors/index.js';
import { errno } from '../fs.js';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** As `openssl x509 -noout -fingerprint -sha256` prints it: colon-separated upper-case hex. */
  fingerprint256: string;
  validTo: string;
}

export async function readTlsMaterial(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readPem(certFile), readPem(keyFile)]);
  const certificate = parse(certFile, 'TLS_CERTIFICATE_INVALID', () => new X509Certificate(cert));
  const privateKey = parse(keyFile, 'TLS_KEY_INVALID', () => createPrivateKey(key));
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsMaterialError('TLS_KEY_MISMATCH', `The key in ${keyFile} does not belong to the certificate in ${certFile}.`, {
      file: keyFile,
      reason: 'key mismatch',
    });
  }
  return { cert, key, fingerprint256: certificate.fingerprint256, validTo: certificate.validTo };
}

async function readPem(file: string): Promise<Buffer> {
  try {
    return await fsp.readFile(file);
  } catch (err) {
    throw new TlsMaterialError('TLS_FILE_UNREADABLE', `Cannot read ${file}.`, { file, reason: errno(err) ?? String(err) });
  }
}

function parse<T>(file: string, code: 'TLS_CERTIFICATE_INVALID' | 'TLS_KEY_INVALID', read: () => T): T {
  try {
    return read();
  } catch (err) {
    const what = code === 'TLS_CERTIFICATE_INVALID' ? 'a PEM certificate' : 'a PEM private key';
    throw new TlsMaterialError(code, `${file} does not hold ${what}.`, { file, reason: err instanceof Error ? err.message : String(err) });
  }
}
