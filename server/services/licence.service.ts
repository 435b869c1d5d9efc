/**
 * Licences on the appliance: import (verify the vendor's signature, the system binding, the
 * issue order), list, remove, and the status the UI and the installability rules read.
 */
import crypto from 'node:crypto';
import { canonicalize } from '@tufjs/canonical-json';
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import {
  contractStatus,
  type LicenceDocument,
  licencesInForce,
  licensedModules,
  maxLicensedMajor,
  signedLicenceSchema,
  type SignedLicence,
} from '../domain/licence.js';
import type { LicencesRepository } from '../repositories/licences.repository.js';
import type { TrustedLicenceKey } from '../vendor/licence-issuer.js';
import { LicenceError, NotFoundError } from '../domain/errors/index.js';

export const MAX_LICENCE_BYTES = 64 * 1024;

export type ImportOutcome = 'IMPORTED' | 'REPLACED' | 'UNCHANGED';

const tooLarge = (bytes: number) =>
  new LicenceError('LICENCE_TOO_LARGE', `A licence file is at most ${MAX_LICENCE_BYTES / 1024} KiB; this one has ${bytes} bytes.`);

export class LicenceService {
  constructor(
    private readonly systemId: string,
    private readonly trustedKeys: () => TrustedLicenceKey[],
    private readonly repo: LicencesRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** An uploaded file (a Blob): its size is checked before it is read. */
  async importFile(file: {
    size: number;
    arrayBuffer(): Promise<ArrayBuffer>;
  }): Promise<{ licence: LicenceDocument; outcome: ImportOutcome }> {
    if (file.size > MAX_LICENCE_BYTES) throw tooLarge(file.size);
    return this.import(new Uint8Array(await file.arrayBuffer()));
  }

  /** Checks a licence file completely before anything is stored; a refused file changes nothing. */
  import(bytes: Uint8Array): { licence: LicenceDocument; outcome: ImportOutcome } {
    if (bytes.byteLength > MAX_LICENCE_BYTES) throw tooLarge(bytes.byteLength);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      throw new LicenceError('LICENCE_MALFORMED', 'This file is not a licence: it is not JSON text.');
    }
    const parsed = signedLicenceSchema.safeParse(json);
    if (!parsed.success) {
      const unsigned = typeof json === 'object' && json !== null && !('signature' in json);
      if (unsigned) throw new LicenceError('LICENCE_SIGNATURE_INVALID', 'The licence carries no signature.');
      throw new LicenceError(
        'LICENCE_MALFORMED',
        `This file is not a valid licence: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}.`,
      );
    }
    const signed = parsed.data;
    this.verifySignature(signed);
    const { licence } = signed;
    if (licence.systemId !== this.systemId) {
      throw new LicenceError('LICENCE_WRONG_SYSTEM', `This licence is for system ${licence.systemId}; this system is ${this.systemId}.`);
    }
    const now = this.clock.now();
    if (licence.expiresAt && Date.parse(licence.expiresAt) <= now.getTime()) {
      throw new LicenceError('LICENCE_EXPIRED', `This licence ended on ${licence.expiresAt.slice(0, 10)}.`);
    }
    const existing = this.repo.find(licence.id);
    let outcome: ImportOutcome = 'IMPORTED';
    if (existing) {
      const existingIssued = Date.parse((existing.document as LicenceDocument).issuedAt);
      const issued = Date.parse(licence.issuedAt);
      if (issued < existingIssued) {
        throw new LicenceError(
          'LICENCE_SUPERSEDED',
          `Licence ${licence.id} issued on ${licence.issuedAt.slice(0, 10)} is older than the one imported (issued ${(existing.document as LicenceDocument).issuedAt.slice(0, 10)}).`,
        );
      }
      if (issued === existingIssued) {
        if (canonicalize(existing.document as never) === canonicalize(licence)) return { licence, outcome: 'UNCHANGED' };
        throw new LicenceError(
          'LICENCE_SUPERSEDED',
          `Licence ${licence.id} issued at the same time differs from the one imported: ask the vendor for a new issue.`,
        );
      }
      outcome = 'REPLACED';
    }
    this.repo.upsert({
      id: licence.id,
      issuedAt: new Date(licence.issuedAt),
      document: licence,
      signature: signed.signature,
      importedAt: now,
    });
    this.logger.info('licence imported', { licenceId: licence.id, outcome, maxMajor: licence.maxMajor });
    return { licence, outcome };
  }

  remove(id: string): LicenceDocument {
    const existing = this.repo.find(id);
    if (!existing) throw new NotFoundError('licence', id);
    this.repo.delete(id);
    this.logger.info('licence removed', { licenceId: id });
    return existing.document as LicenceDocument;
  }

  list(): LicenceDocument[] {
    return this.repo.all().map((r) => r.document as LicenceDocument);
  }

  status() {
    const now = this.clock.now();
    const all = this.list();
    const inForce = licencesInForce(all, now);
    return {
      systemId: this.systemId,
      licences: all,
      licensedModules: [...licensedModules(inForce)].sort(),
      maxMajor: maxLicensedMajor(inForce),
      ...contractStatus(all, now),
    };
  }

  private verifySignature(signed: SignedLicence): void {
    const key = this.trustedKeys().find((k) => k.keyId === signed.signature.keyId);
    if (!key)
      throw new LicenceError(
        'LICENCE_SIGNATURE_INVALID',
        `The licence is signed with key ${signed.signature.keyId}, which is not a trusted vendor key.`,
      );
    const publicKey = crypto.createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(key.publicKey, 'hex')]),
      format: 'der',
      type: 'spki',
    });
    const ok = crypto.verify(null, Buffer.from(canonicalize(signed.licence)), publicKey, Buffer.from(signed.signature.value, 'base64'));
    if (!ok) throw new LicenceError('LICENCE_SIGNATURE_INVALID', 'The licence signature does not match its content: the file was altered.');
  }
}
