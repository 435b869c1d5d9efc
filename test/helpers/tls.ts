/**
 * TLS in tests: certificate pairs made by Patchbay's own self-signed generator (each one is its own
 * CA for the client that trusts it), the fingerprint a server presents on a new connection, and an
 * undici Agent for `fetch` that trusts a test certificate.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Agent } from 'undici';
import { ensureSelfSignedCertificate } from '../../server/adapters/tls/self-signed-certificate.js';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  fingerprint256: string;
}

/** A new certificate for 127.0.0.1 and localhost in a new directory (removed by the caller with `dir`). */
export async function makeTestCertificate(parent: string = os.tmpdir()): Promise<TestCertificate & { dir: string }> {
  const dir = fs.mkdtempSync(path.join(parent, 'patchbay-cert-'));
  const { certFile, keyFile } = await ensureSelfSignedCertificate(dir, { dns: ['localhost'], ip: ['127.0.0.1'] }, new Date());
  const cert = fs.readFileSync(certFile);
  return { dir, certFile, keyFile, cert, key: fs.readFileSync(keyFile), fingerprint256: new crypto.X509Certificate(cert).fingerprint256 };
}

/** The SHA-256 fingerprint of the certificate the server at `port` presents to a new connection. */
export function presentedFingerprint(port: number, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

export function trustingAgent(ca: Buffer): Agent {
  return new Agent({ connect: { ca } });
}
