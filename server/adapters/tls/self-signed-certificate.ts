/**
 * The self-signed certificate of a LAN-facing Patchbay without one of its own: made on the first
 * start under `<home>/tls/` (the key readable by Patchbay's user only), reused by later starts.
 * Node can parse certificates but not write them: node-forge (no dependencies of its own) lays out
 * the certificate, while the key pair and the signature come from Node's native crypto (forge's
 * JavaScript RSA takes seconds where OpenSSL takes milliseconds).
 */
import { generateKeyPair, randomBytes, sign } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type forge from 'node-forge';
import type { SubjectNames } from '../../domain/tls-plan.js';
import { exists, writeFileAtomic } from '../fs.js';

export interface SelfSignedFiles {
  certFile: string;
  keyFile: string;
  /** Made by this call, rather than found from an earlier start. */
  generated: boolean;
}

const VALID_YEARS = 10;

export async function ensureSelfSignedCertificate(dir: string, names: SubjectNames, now: Date): Promise<SelfSignedFiles> {
  const certFile = path.join(dir, 'self-signed.crt');
  const keyFile = path.join(dir, 'self-signed.key');
  // The certificate is written last: its presence means the pair is complete.
  if (await exists(certFile)) return { certFile, keyFile, generated: false };
  await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  const { cert, key } = await selfSignedCertificate(names, now);
  await writeFileAtomic(keyFile, key, 0o600);
  await writeFileAtomic(certFile, cert);
  return { certFile, keyFile, generated: true };
}

async function selfSignedCertificate(names: SubjectNames, now: Date): Promise<{ cert: string; key: string }> {
  // Imported here, not at start: needed once per appliance, and ~1.5 MB of heap for as long as the process runs.
  const { default: forge } = await import('node-forge');
  // forge's own function, missing from its type declarations.
  const tbsCertificate = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial of 127 random bits (RFC 5280: unique per issuer, at most 20 bytes).
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime());
  cert.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + VALID_YEARS);
  const subject = [
    { name: 'commonName', value: (names.dns[0] ?? names.ip[0] ?? 'patchbay').slice(0, 64) },
    { name: 'organizationName', value: 'Patchbay (self-signed)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...names.dns.map((value) => ({ type: 2, value })), ...names.ip.map((ip) => ({ type: 7, ip }))],
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.signatureOid = cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const tbs = forge.asn1.toDer(tbsCertificate(cert)).getBytes();
  cert.signature = sign('sha256', Buffer.from(tbs, 'binary'), privateKey).toString('binary');
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
