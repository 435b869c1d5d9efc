/**
 * The vendor's licence issuer: signs a licence document with ed25519 over its canonical JSON.
 * The key id is the SHA-256 of the raw public key, so appliances can pick the right trusted key.
 */
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import { canonicalize } from '@tufjs/canonical-json';
import { type LicenceDocument, licenceDocumentSchema, type SignedLicence } from '../domain/licence.js';

export interface TrustedLicenceKey {
  keyId: string;
  /** Raw 32-byte ed25519 public key, hex. */
  publicKey: string;
}

export function publicKeyOf(privateOrPublic: crypto.KeyObject): TrustedLicenceKey {
  const pub = privateOrPublic.type === 'private' ? crypto.createPublicKey(privateOrPublic) : privateOrPublic;
  const raw = pub.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { keyId: crypto.createHash('sha256').update(raw).digest('hex').slice(0, 16), publicKey: raw.toString('hex') };
}

export function signLicence(document: LicenceDocument, privateKey: crypto.KeyObject): SignedLicence {
  const licence = licenceDocumentSchema.parse(document);
  const value = crypto.sign(null, Buffer.from(canonicalize(licence)), privateKey).toString('base64');
  return { licence, signature: { keyId: publicKeyOf(privateKey).keyId, algorithm: 'ed25519', value } };
}

export async function createLicenceKey(file: string): Promise<TrustedLicenceKey> {
  const { privateKey } = crypto.generateKeyPairSync('ed25519');
  await fsp.writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return publicKeyOf(privateKey);
}

export async function loadLicenceKey(file: string): Promise<crypto.KeyObject> {
  return crypto.createPrivateKey(await fsp.readFile(file));
}
