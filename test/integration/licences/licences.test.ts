/**
 * Licences through the real GraphQL multipart upload, the installability they grant, the module
 * plan, and persistence across a restart.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedLicence } from '../../../server/domain/licence.js';
import { loadLicenceKey, signLicence } from '../../../server/vendor/licence-issuer.js';
import type { HttpClient } from '../../helpers/graphql-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

const IMPORT = `mutation ($file: File!) { importLicence(file: $file) {
  __typename
  ... on ImportLicenceSuccess { outcome licence { id maxMajor } }
  ... on LicenceError { code message }
} }`;
const STATUS = `{ licenceStatus { systemId maxMajor licensedModules licences { id issuedAt } updateContract { validFrom validUntil active daysLeft } warnings { code message } } }`;

async function upload(client: HttpClient, bytes: string, name = 'licence.json') {
  return client.multipart<{ importLicence: { __typename: string; code?: string; message?: string; outcome?: string } }>(IMPORT, {
    file: new File([bytes], name),
  });
}

type Versions = { availableVersions: { version: string; installable: boolean; blockers: { code: string }[] }[] };
const VERSIONS = '{ availableVersions { version installable blockers { code } } }';

describe('licences', () => {
  let app: TestApp;
  let admin: HttpClient;
  let upgrade: string;
  let initial: SignedLicence;
  let systemId: string;
  let key: crypto.KeyObject;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.admin();
    await admin.query('mutation { checkForUpdates { __typename } }');
    upgrade = fs.readFileSync(path.join(app.home, 'demo-vendor', 'licence-upgrade.json'), 'utf8');
    initial = JSON.parse(fs.readFileSync(path.join(app.home, 'demo-vendor', 'licence-initial.json'), 'utf8')) as SignedLicence;
    systemId = initial.licence.systemId;
    key = await loadLicenceKey(path.join(app.home, 'demo-vendor', 'keys', 'licence.pem'));
  });
  afterAll(() => app.close());

  it('starts the demo with a licence for 8.x whose contract has ended, bound to this system', async () => {
    const res = await admin.query<{ licenceStatus: Record<string, unknown>; system: { systemId: string } }>(
      STATUS.replace('{ licenceStatus', '{ system { systemId } licenceStatus'),
    );
    const status = res.data!.licenceStatus;
    expect(status).toMatchObject({
      systemId: res.data!.system.systemId,
      maxMajor: 8,
      licensedModules: ['callcenter', 'fax'],
      updateContract: { active: false, daysLeft: 0 },
    });
    expect((status.warnings as { code: string }[]).map((w) => w.code)).toEqual(['CONTRACT_ENDED']);
  });

  it('shows 8.x installable and 9.x blocked by the licence, with reasons', async () => {
    const res = await admin.query<Versions>(VERSIONS);
    const by = Object.fromEntries(res.data!.availableVersions.map((v) => [v.version, v]));
    expect(by['8.1.3']!.installable).toBe(true);
    expect(by['8.2.0']!.installable).toBe(true);
    expect(by['9.0.0']!.blockers.map((b) => b.code)).toEqual(['MAJOR_NOT_LICENSED', 'CONTRACT_EXPIRED']);
  });

  it('plans the modules for 9.0.0: an update pre-selected, a module left behind, an unlicensed one', async () => {
    const res = await admin.query<{
      moduleUpdates: {
        modules: { moduleId: string; targetVersion: string | null; selected: boolean; compatible: boolean; warnings: { code: string }[] }[];
      };
    }>(
      '{ moduleUpdates(targetVersion: "9.0.0") { ... on ModulePlan { modules { moduleId targetVersion selected compatible warnings { code } } } } }',
    );
    const by = Object.fromEntries(res.data!.moduleUpdates.modules.map((m) => [m.moduleId, m]));
    expect(by.callcenter).toMatchObject({ targetVersion: '4.0.0', selected: true, compatible: true, warnings: [] });
    expect(by.fax).toMatchObject({ targetVersion: null, selected: false, compatible: false });
    expect(by.fax!.warnings.map((w) => w.code)).toEqual(['NOT_RELEASED_FOR_TARGET', 'WILL_BE_DISABLED']);
    expect(by['crm-connector']).toMatchObject({ targetVersion: '1.5.0', selected: false });
    expect(by['crm-connector']!.warnings.map((w) => w.code)).toEqual(['NOT_UPDATABLE']);
  });

  it('answers VERSION_NOT_FOUND for a version not in the catalog', async () => {
    const res = await admin.query('{ moduleUpdates(targetVersion: "7.0.0") { __typename ... on Error { code } } }');
    expect(res.data).toEqual({ moduleUpdates: { __typename: 'VersionNotFoundError', code: 'VERSION_NOT_FOUND' } });
  });

  it('checks module selections against the plan', async () => {
    const q = (modules: string, ack: boolean) =>
      admin.query<{ checkModuleSelection: { valid: boolean; problems: { code: string; moduleId: string }[] } }>(
        `{ checkModuleSelection(targetVersion: "9.0.0", modules: ${modules}, acknowledgeWarnings: ${ack}) { ... on ModuleSelectionCheck { valid problems { code moduleId } } } }`,
      );
    expect((await q('[{ moduleId: "callcenter", version: "4.0.0" }]', true)).data!.checkModuleSelection).toEqual({
      valid: true,
      problems: [],
    });
    expect((await q('[{ moduleId: "voicebox", version: "1.0.0" }]', true)).data!.checkModuleSelection.problems.map((p) => p.code)).toEqual([
      'UNKNOWN_MODULE',
    ]);
    expect(
      (await q('[{ moduleId: "callcenter", version: "3.1.0" }]', true)).data!.checkModuleSelection.problems.map((p) => p.code),
    ).toEqual(['MODULE_VERSION_INCOMPATIBLE']);
    // Left out, Call Center 3.0.0 would be disabled on 9.0.0: that needs an acknowledgement too.
    expect((await q('[]', false)).data!.checkModuleSelection.problems.map((p) => `${p.code}:${p.moduleId}`).sort()).toEqual([
      'WARNINGS_NOT_ACKNOWLEDGED:callcenter',
      'WARNINGS_NOT_ACKNOWLEDGED:crm-connector',
      'WARNINGS_NOT_ACKNOWLEDGED:fax',
    ]);
  });

  describe('bad licence files change nothing', () => {
    const tamper = (f: (l: SignedLicence) => void) => {
      const l = JSON.parse(upgrade) as SignedLicence;
      f(l);
      return JSON.stringify(l);
    };
    it.each([
      ['text that is not JSON', () => 'LICENCE KEY: 1234-5678', 'LICENCE_MALFORMED'],
      ['JSON that is not a licence', () => JSON.stringify({ hello: 'world', signature: {} }), 'LICENCE_MALFORMED'],
      ['a huge file', () => ' '.repeat(100 * 1024), 'LICENCE_TOO_LARGE'],
      [
        'a missing signature',
        () => JSON.stringify({ licence: (JSON.parse(upgrade) as SignedLicence).licence }),
        'LICENCE_SIGNATURE_INVALID',
      ],
      ['an altered content', () => tamper((l) => (l.licence.maxMajor = 99)), 'LICENCE_SIGNATURE_INVALID'],
      [
        'a bad signature value',
        () => tamper((l) => (l.signature.value = Buffer.alloc(64).toString('base64'))),
        'LICENCE_SIGNATURE_INVALID',
      ],
      [
        'an unknown signing key',
        () => JSON.stringify(signLicence({ ...initial.licence, id: 'X-1' }, crypto.generateKeyPairSync('ed25519').privateKey)),
        'LICENCE_SIGNATURE_INVALID',
      ],
      [
        'another system',
        () => JSON.stringify(signLicence({ ...initial.licence, id: 'X-2', systemId: 'PBX-OTHER' }, key)),
        'LICENCE_WRONG_SYSTEM',
      ],
      [
        'an expired term licence',
        () => JSON.stringify(signLicence({ ...initial.licence, id: 'X-3', systemId, expiresAt: '2026-01-01T00:00:00Z' }, key)),
        'LICENCE_EXPIRED',
      ],
      [
        'an older issue of an imported id',
        () => JSON.stringify(signLicence({ ...initial.licence, issuedAt: '2025-01-01T00:00:00Z' }, key)),
        'LICENCE_SUPERSEDED',
      ],
    ])('refuses %s', async (_name, make, code) => {
      const before = await admin.query(STATUS);
      const res = await upload(admin, make());
      expect(res.data?.importLicence).toMatchObject({ __typename: 'LicenceError', code });
      expect(await admin.query(STATUS)).toMatchObject({ data: before.data });
    });
  });

  it('imports the upgrade licence: it replaces the older issue and unblocks 9.0.0', async () => {
    const res = await upload(admin, upgrade);
    expect(res.data!.importLicence).toEqual({
      __typename: 'ImportLicenceSuccess',
      outcome: 'REPLACED',
      licence: { id: 'DEMO-0001', maxMajor: 9 },
    });
    const versions = await admin.query<Versions>(VERSIONS);
    const by = Object.fromEntries(versions.data!.availableVersions.map((v) => [v.version, v]));
    expect(by['9.0.0']).toMatchObject({ installable: true, blockers: [] });
    expect(by['9.1.0']!.blockers.map((b) => b.code)).toEqual(['UPGRADE_PATH']);
  });

  it('takes the same licence again harmlessly', async () => {
    expect((await upload(admin, upgrade)).data!.importLicence).toMatchObject({ outcome: 'UNCHANGED' });
  });

  it('keeps licences across a restart', async () => {
    await app.patchbay.stop();
    app = await startTestApp({ home: app.home });
    admin = await app.admin();
    const res = await admin.query<{ licenceStatus: { maxMajor: number; licences: { id: string }[] } }>(STATUS);
    expect(res.data!.licenceStatus).toMatchObject({ maxMajor: 9, licences: [{ id: 'DEMO-0001' }] });
  });

  it('removes a licence, which blocks every version with NO_LICENCE', async () => {
    const removed = await admin.query(
      'mutation { removeLicence(id: "DEMO-0001") { __typename ... on RemoveLicenceSuccess { licence { id } } } }',
    );
    expect(removed.data).toEqual({ removeLicence: { __typename: 'RemoveLicenceSuccess', licence: { id: 'DEMO-0001' } } });
    const versions = await admin.query<Versions>(VERSIONS);
    expect(versions.data!.availableVersions.every((v) => v.blockers.some((b) => b.code === 'NO_LICENCE'))).toBe(true);
    const again = await admin.query('mutation { removeLicence(id: "DEMO-0001") { __typename ... on Error { code } } }');
    expect(again.data).toEqual({ removeLicence: { __typename: 'NotFoundError', code: 'NOT_FOUND' } });
  });
});
