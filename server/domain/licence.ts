/**
 * Licences: a JSON document signed by the vendor (ed25519 over its canonical JSON), bound to one
 * system, naming the edition, the licensed modules, the highest licensed major version and,
 * optionally, the update contract. The rules deciding what a licence allows are pure functions.
 */
import semver from 'semver';
import { z } from 'zod';
import type { Release } from './catalog.js';
import type { Blocker } from './upgrade-path.js';

const instant = z
  .string()
  .refine((s) => /(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 instant with a time zone');

export const licenceDocumentSchema = z
  .object({
    formatVersion: z.literal(1),
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a licence id like LIC-2026-0042'),
    systemId: z.string().min(1).max(100),
    customer: z.string().min(1).max(200),
    edition: z.string().min(1).max(100),
    issuedAt: instant,
    /** A term licence ends here; a perpetual licence has none. */
    expiresAt: instant.optional(),
    licensedModules: z.array(z.string().min(1).max(100)).max(200),
    maxMajor: z.number().int().min(0),
    updateContract: z.object({ validFrom: instant, validUntil: instant }).strict().optional(),
  })
  .strict()
  .superRefine((l, ctx) => {
    if (l.updateContract && Date.parse(l.updateContract.validUntil) <= Date.parse(l.updateContract.validFrom)) {
      ctx.addIssue({ code: 'custom', path: ['updateContract', 'validUntil'], message: 'must be after validFrom' });
    }
  });

export const signedLicenceSchema = z
  .object({
    licence: licenceDocumentSchema,
    signature: z
      .object({ keyId: z.string().min(1).max(200), algorithm: z.literal('ed25519'), value: z.string().regex(/^[A-Za-z0-9+/=]+$/) })
      .strict(),
  })
  .strict();

export type LicenceDocument = z.infer<typeof licenceDocumentSchema>;
export type SignedLicence = z.infer<typeof signedLicenceSchema>;
export type UpdateContract = NonNullable<LicenceDocument['updateContract']>;

/** Licences in force at `now` (term licences past their end are not). */
export function licencesInForce(licences: LicenceDocument[], now: Date): LicenceDocument[] {
  return licences.filter((l) => !l.expiresAt || Date.parse(l.expiresAt) > now.getTime());
}

/** The contract was active at `at`: from validFrom (inclusive) to validUntil (exclusive). */
export function contractActiveAt(contract: UpdateContract, at: Date): boolean {
  const t = at.getTime();
  return Date.parse(contract.validFrom) <= t && t < Date.parse(contract.validUntil);
}

export function maxLicensedMajor(licences: LicenceDocument[]): number | null {
  return licences.length ? Math.max(...licences.map((l) => l.maxMajor)) : null;
}

export function licensedModules(licences: LicenceDocument[]): Set<string> {
  return new Set(licences.flatMap((l) => l.licensedModules));
}

const day = (iso: string) => iso.slice(0, 10);

/**
 * What the licences say about installing `release`: it is covered when a licence in force allows
 * its major version and an update contract was active on the day it was released.
 */
export function licenceBlockers(
  release: Pick<Release, 'version' | 'releasedAt' | 'requiresLicenceMajor'>,
  licences: LicenceDocument[],
  now: Date,
): Blocker[] {
  const inForce = licencesInForce(licences, now);
  if (inForce.length === 0) {
    return [{ code: 'NO_LICENCE', message: 'No licence is imported. Import the licence file of this system on the Licences page.' }];
  }
  const blockers: Blocker[] = [];
  const major = Math.max(release.requiresLicenceMajor, semver.major(release.version));
  const maxMajor = maxLicensedMajor(inForce)!;
  if (major > maxMajor) {
    blockers.push({
      code: 'MAJOR_NOT_LICENSED',
      message: `Version ${release.version} needs a licence for major version ${major}; the imported licences go up to ${maxMajor}. Import a licence for version ${major}.`,
    });
  }
  const contracts = inForce.map((l) => l.updateContract).filter((c): c is UpdateContract => !!c);
  const releasedAt = new Date(release.releasedAt);
  if (contracts.length === 0) {
    blockers.push({
      code: 'CONTRACT_MISSING',
      message: 'No update contract is imported. Import a licence that includes an update contract.',
    });
  } else if (!contracts.some((c) => contractActiveAt(c, releasedAt))) {
    const lastEnd = contracts
      .map((c) => c.validUntil)
      .sort()
      .at(-1)!;
    if (releasedAt.getTime() >= Date.parse(lastEnd)) {
      blockers.push({
        code: 'CONTRACT_EXPIRED',
        message: `Version ${release.version} was released on ${day(release.releasedAt)}, after the update contract ended on ${day(lastEnd)}. Renew the update contract and import the new licence.`,
      });
    } else {
      const firstStart = contracts.map((c) => c.validFrom).sort()[0]!;
      blockers.push({
        code: 'CONTRACT_MISSING',
        message: `Version ${release.version} was released on ${day(release.releasedAt)}, before the update contract started on ${day(firstStart)}. Import a licence whose contract covers that date.`,
      });
    }
  }
  return blockers;
}

export interface LicenceWarning {
  code: 'NO_CONTRACT' | 'CONTRACT_ENDING' | 'CONTRACT_ENDED' | 'NO_LICENCE';
  message: string;
}

/** The update contract in force now (the one ending last), and what the admin should know about it. */
export function contractStatus(
  licences: LicenceDocument[],
  now: Date,
): { contract: UpdateContract | null; active: boolean; daysLeft: number | null; warnings: LicenceWarning[] } {
  const inForce = licencesInForce(licences, now);
  if (inForce.length === 0)
    return { contract: null, active: false, daysLeft: null, warnings: [{ code: 'NO_LICENCE', message: 'No licence is imported.' }] };
  const contracts = inForce.map((l) => l.updateContract).filter((c): c is UpdateContract => !!c);
  if (contracts.length === 0) {
    return {
      contract: null,
      active: false,
      daysLeft: null,
      warnings: [{ code: 'NO_CONTRACT', message: 'There is no update contract: new versions cannot be installed.' }],
    };
  }
  const contract = contracts.reduce((a, b) => (Date.parse(b.validUntil) > Date.parse(a.validUntil) ? b : a));
  const active = contracts.some((c) => contractActiveAt(c, now));
  const msLeft = Date.parse(contract.validUntil) - now.getTime();
  const daysLeft = Math.max(0, Math.ceil(msLeft / 86_400_000));
  const warnings: LicenceWarning[] = [];
  if (msLeft <= 0)
    warnings.push({
      code: 'CONTRACT_ENDED',
      message: `The update contract ended on ${day(contract.validUntil)}: versions released since then cannot be installed.`,
    });
  else if (daysLeft <= 30)
    warnings.push({ code: 'CONTRACT_ENDING', message: `The update contract ends in ${daysLeft} days, on ${day(contract.validUntil)}.` });
  return { contract, active, daysLeft: msLeft > 0 ? daysLeft : 0, warnings };
}
