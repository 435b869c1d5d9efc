/** Licences: import (multipart upload), removal, and the status the Licences page shows. */
import type { LicenceDocument, LicenceWarning, UpdateContract } from '../server/domain/licence.js';
import { type ImportOutcome } from '../server/services/licence.service.js';
import { builder, ErrorInterface } from './builder.js';
import { LicenceError, NotFoundError } from '../server/domain/errors/index.js';

builder.objectType(LicenceError, {
  name: 'LicenceError',
  description:
    'Codes: LICENCE_MALFORMED, LICENCE_TOO_LARGE, LICENCE_SIGNATURE_INVALID, LICENCE_WRONG_SYSTEM, LICENCE_EXPIRED, LICENCE_SUPERSEDED.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => v instanceof LicenceError,
  fields: () => ({}),
});

const Contract = builder.objectRef<UpdateContract>('UpdateContract').implement({
  fields: (t) => ({
    validFrom: t.expose('validFrom', { type: 'DateTime' }),
    validUntil: t.expose('validUntil', { type: 'DateTime' }),
  }),
});

const Licence = builder.objectRef<LicenceDocument>('Licence').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    systemId: t.exposeString('systemId'),
    customer: t.exposeString('customer'),
    edition: t.exposeString('edition'),
    issuedAt: t.expose('issuedAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    licensedModules: t.exposeStringList('licensedModules'),
    maxMajor: t.exposeInt('maxMajor'),
    updateContract: t.field({ type: Contract, nullable: true, resolve: (l) => l.updateContract ?? null }),
  }),
});

const Warning = builder.objectRef<LicenceWarning>('LicenceWarning').implement({
  description: 'Codes: NO_LICENCE, NO_CONTRACT, CONTRACT_ENDING (within 30 days), CONTRACT_ENDED.',
  fields: (t) => ({ code: t.exposeString('code'), message: t.exposeString('message') }),
});

interface Status {
  systemId: string;
  licences: LicenceDocument[];
  licensedModules: string[];
  maxMajor: number | null;
  contract: UpdateContract | null;
  active: boolean;
  daysLeft: number | null;
  warnings: LicenceWarning[];
}

const ContractStatus = builder.objectRef<Status>('UpdateContractStatus').implement({
  fields: (t) => ({
    validFrom: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.contract?.validFrom ?? null }),
    validUntil: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.contract?.validUntil ?? null }),
    active: t.exposeBoolean('active'),
    daysLeft: t.exposeInt('daysLeft', { nullable: true }),
  }),
});

const LicenceStatus = builder.objectRef<Status>('LicenceStatus').implement({
  fields: (t) => ({
    systemId: t.exposeString('systemId'),
    licences: t.field({ type: [Licence], resolve: (s) => s.licences }),
    licensedModules: t.exposeStringList('licensedModules'),
    maxMajor: t.exposeInt('maxMajor', { nullable: true, description: 'The highest licensed major version.' }),
    updateContract: t.field({ type: ContractStatus, resolve: (s) => s }),
    warnings: t.field({ type: [Warning], resolve: (s) => s.warnings }),
  }),
});

const ImportOutcomeEnum = builder.enumType('LicenceImportOutcome', { values: ['IMPORTED', 'REPLACED', 'UNCHANGED'] as const });

const ImportLicenceSuccess = builder.objectRef<{ licence: LicenceDocument; outcome: ImportOutcome }>('ImportLicenceSuccess').implement({
  fields: (t) => ({
    licence: t.field({ type: Licence, resolve: (r) => r.licence }),
    outcome: t.field({ type: ImportOutcomeEnum, resolve: (r) => r.outcome }),
  }),
});

const RemoveLicenceSuccess = builder.objectRef<LicenceDocument>('RemoveLicenceSuccess').implement({
  fields: (t) => ({ licence: t.field({ type: Licence, resolve: (removed) => removed }) }),
});

builder.queryField('licenceStatus', (t) =>
  t.field({ type: LicenceStatus, resolve: (_root, _args, ctx) => ctx.services.licences.status() }),
);

builder.mutationFields((t) => ({
  importLicence: t.field({
    type: ImportLicenceSuccess,
    authScopes: { operate: true },
    description: 'Imports a licence file (multipart upload). Importing the same licence again changes nothing.',
    errors: { types: [LicenceError], directResult: true, union: { name: 'ImportLicenceResult' } },
    args: { file: t.arg({ type: 'File' }) },
    resolve: (_root, { file }, ctx) => ctx.services.licences.importFile(file),
  }),
  removeLicence: t.field({
    type: RemoveLicenceSuccess,
    authScopes: { operate: true },
    errors: { types: [NotFoundError], directResult: true, union: { name: 'RemoveLicenceResult' } },
    args: { id: t.arg.id() },
    resolve: (_root, { id }, ctx) => ctx.services.licences.remove(String(id)),
  }),
}));
