/**
 * Licences on the appliance: import (verify the vendor's signature, the system binding, the
 * issue order), list, remove, and the status the UI and the installability rules read.
 *
 * What is read is a read model: the licences, those in force and the status are computed when a
 * licence is imported or removed and when time alone changes them (a licence or contract ends, a
 * day of the contract passes: a timer on the injected clock at that instant), and handed out as the
 * same objects in between.
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
import { nextLicenceChange } from '../domain/licence-boundaries.js';
import type { LicencesRepository } from '../repositories/licences.repository.js';
import type { TrustedLicenceKey } from '../vendor/licence-issuer.js';
import { LicenceError, NotFoundError } from '../domain/errors/index.js';

export const MAX_LICENCE_BYTES = 64 * 1024;

export type ImportOutcome = 'IMPORTED' | 'REPLACED' | 'UNCHANGED';

export type LicenceStatus = ReturnType<typeof statusOf>;

/** Node keeps a timer at most 2^31 - 1 ms (~24.8 days); a later boundary is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function statusOf(systemId: string, all: LicenceDocument[], inForce: LicenceDocument[], now: Date) {
  return {
    systemId,
    licences: all,
    licensedModules: [...licensedModules(inForce)].sort(),
    maxMajor: maxLicensedMajor(inForce),
    ...contractStatus(all, now),
  };
}

interface LicenceState {
  all: LicenceDocument[];
  inForce: LicenceDocument[];
  status: LicenceStatus;
  /** When time alone changes the state next (ms since the epoch; Infinity: never). */
  until: number;
}

const tooLarge = (bytes: number) =>
  new LicenceError('LICENCE_TOO_LARGE', `A licence file is at most ${MAX_LICENCE_BYTES / 1024} KiB; this one has ${bytes} bytes.`);

export class LicenceService {
  private state: LicenceState | null = null;
  private timer: unknown = null;
  private count = 0;

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
    this.changed();
    this.logger.info('licence imported', { licenceId: licence.id, outcome, maxMajor: licence.maxMajor });
    return { licence, outcome };
  }

  remove(id: string): LicenceDocument {
    const existing = this.repo.find(id);
    if (!existing) throw new NotFoundError('licence', id);
    this.repo.delete(id);
    this.changed();
    this.logger.info('licence removed', { licenceId: id });
    return existing.document as LicenceDocument;
  }

  /** Every imported licence (also those past their end). Shared: not to be changed by the caller. */
  list(): LicenceDocument[] {
    return this.current().all;
  }

  /** The licences in force now: the same array until that changes (what installability is decided with). */
  inForce(): LicenceDocument[] {
    return this.current().inForce;
  }

  status(): LicenceStatus {
    return this.current().status;
  }

  /** How many times the state was computed (an import, a removal, a boundary in time, the first read). */
  get computations(): number {
    return this.count;
  }

  /** Stops the boundary timer (on shutdown). */
  close(): void {
    this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * The state, computed again only after a change: a read at or past the boundary (a timer that has
   * not fired yet) computes it, so no read sees a licence in force after its end.
   */
  private current(): LicenceState {
    if (this.state && this.clock.now().getTime() < this.state.until) return this.state;
    return this.recompute();
  }

  private changed(): void {
    this.close();
    this.state = null;
  }

  private recompute(): LicenceState {
    this.close();
    const now = this.clock.now();
    const all = this.repo.all().map((r) => r.document as LicenceDocument);
    const inForce = licencesInForce(all, now);
    const until = nextLicenceChange(all, now)?.getTime() ?? Infinity;
    this.count += 1;
    this.state = { all, inForce, status: statusOf(this.systemId, all, inForce, now), until };
    this.arm(until);
    return this.state;
  }

  /** The timer that computes the state again at `until` (in steps when that is further than a timer reaches). */
  private arm(until: number): void {
    if (until === Infinity) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = null;
        if (this.clock.now().getTime() < until) this.arm(until);
        else this.recompute();
      },
      Math.min(MAX_TIMER_MS, until - this.clock.now().getTime()),
    );
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
