import { describe, expect, it } from 'vitest';
import type { ModuleRelease } from '../../server/domain/catalog.js';
import { checkSelection, planModules, type InstalledModuleInfo } from '../../server/domain/module-plan.js';

const mod = (id: string, version: string, supportedSystem: string): ModuleRelease => ({
  id,
  name: id,
  version,
  supportedSystem,
  bundle: { target: `modules/${id}-${version}.tar.gz`, size: 1 },
});
const installed = (id: string, version: string, supportedSystem: string | null = '>=8.0.0 <9.0.0'): InstalledModuleInfo => ({
  id,
  name: id,
  version,
  supportedSystem,
});
const catalog = [
  mod('fax', '2.1.0', '>=8.2.0 <9.0.0'),
  mod('callcenter', '3.1.0', '>=8.1.0 <9.0.0'),
  mod('callcenter', '4.0.0', '>=9.0.0 <10.0.0'),
  mod('crm-connector', '1.5.0', '>=8.0.0 <10.0.0'),
];
const all = new Set(['fax', 'callcenter', 'crm-connector']);

describe('planModules', () => {
  it('pre-selects the newest compatible version of each module', () => {
    const sut = planModules([installed('callcenter', '3.0.0')], '9.0.0', catalog, all);
    expect(sut).toEqual([
      expect.objectContaining({
        moduleId: 'callcenter',
        targetVersion: '4.0.0',
        compatible: true,
        selected: true,
        updatable: true,
        warnings: [],
      }),
    ]);
  });

  it('warns NOT_RELEASED_FOR_TARGET and WILL_BE_DISABLED for a module left behind by a major version', () => {
    const [sut] = planModules([installed('fax', '2.0.0')], '9.0.0', catalog, all);
    expect(sut).toMatchObject({ targetVersion: null, compatible: false, selected: false });
    expect(sut!.warnings.map((w) => w.code)).toEqual(['NOT_RELEASED_FOR_TARGET', 'WILL_BE_DISABLED']);
  });

  it('keeps a module that runs on the target as it is, without warning of disabling', () => {
    const [sut] = planModules([installed('fax', '2.0.0', '>=8.0.0 <8.9.0')], '8.1.3', catalog, all);
    expect(sut).toMatchObject({ targetVersion: null, compatible: true, selected: false });
    expect(sut!.warnings.map((w) => w.code)).toEqual(['NOT_RELEASED_FOR_TARGET']);
  });

  it('warns NOT_UPDATABLE for an unlicensed module and does not pre-select it', () => {
    const [sut] = planModules([installed('crm-connector', '1.4.0', '>=8.0.0 <10.0.0')], '9.0.0', catalog, new Set(['fax']));
    expect(sut).toMatchObject({ targetVersion: '1.5.0', compatible: true, selected: false, updatable: false });
    expect(sut!.warnings.map((w) => w.code)).toEqual(['NOT_UPDATABLE']);
  });

  it('says the module will be disabled when it cannot be updated and does not run on the target', () => {
    const [sut] = planModules([installed('callcenter', '3.0.0')], '9.0.0', catalog, new Set());
    expect(sut!.warnings.map((w) => w.code)).toEqual(['NOT_UPDATABLE', 'WILL_BE_DISABLED']);
    expect(sut!.compatible).toBe(false);
  });

  it('does not select a module already at the newest version', () => {
    const [sut] = planModules([installed('crm-connector', '1.5.0', '>=8.0.0 <10.0.0')], '9.0.0', catalog, all);
    expect(sut).toMatchObject({ targetVersion: '1.5.0', selected: false, updatable: false, compatible: true, warnings: [] });
  });

  it('reports a module unknown to the feed', () => {
    const [sut] = planModules([installed('voicebox', '1.0.0', '>=8.0.0 <9.0.0')], '9.0.0', catalog, all);
    expect(sut!.warnings.map((w) => w.code)).toEqual(['UNKNOWN_TO_FEED', 'WILL_BE_DISABLED']);
  });

  it('matches pre-release targets against ranges', () => {
    const [sut] = planModules([installed('callcenter', '3.0.0')], '9.0.0-beta.1', [mod('callcenter', '4.0.0', '>=9.0.0-0 <10.0.0')], all);
    expect(sut!.targetVersion).toBe('4.0.0');
  });
});

describe('checkSelection', () => {
  const plan = planModules([installed('callcenter', '3.0.0'), installed('fax', '2.0.0')], '9.0.0', catalog, all);

  it('accepts the pre-selected versions with the warnings acknowledged', () => {
    expect(checkSelection(plan, [{ moduleId: 'callcenter', version: '4.0.0' }], true)).toEqual([]);
  });

  it('refuses an unknown module', () => {
    expect(checkSelection(plan, [{ moduleId: 'voicebox', version: '1.0.0' }], true).map((p) => p.code)).toEqual(['UNKNOWN_MODULE']);
  });

  it('refuses a version other than the compatible one', () => {
    expect(checkSelection(plan, [{ moduleId: 'callcenter', version: '3.1.0' }], true).map((p) => p.code)).toEqual([
      'MODULE_VERSION_INCOMPATIBLE',
    ]);
    expect(checkSelection(plan, [{ moduleId: 'fax', version: '2.1.0' }], true).map((p) => p.code)).toEqual(['MODULE_VERSION_INCOMPATIBLE']);
  });

  it('demands the warnings be acknowledged', () => {
    expect(checkSelection(plan, [{ moduleId: 'callcenter', version: '4.0.0' }], false)).toEqual([
      expect.objectContaining({ code: 'WARNINGS_NOT_ACKNOWLEDGED', moduleId: 'fax' }),
    ]);
  });

  it('demands an acknowledgement for an update left out when the installed version cannot run on the target', () => {
    const problems = checkSelection(plan, [], false);
    expect(problems.map((p) => `${p.code}:${p.moduleId}`)).toEqual([
      'WARNINGS_NOT_ACKNOWLEDGED:callcenter',
      'WARNINGS_NOT_ACKNOWLEDGED:fax',
    ]);
    expect(problems[0]!.message).toMatch(/left out, it will be disabled/);
    expect(checkSelection(plan, [], true)).toEqual([]);
  });

  it('lets an update be left out without a word when the installed version runs on the target', () => {
    const minor = planModules([installed('callcenter', '3.0.0')], '8.2.0', catalog, all);
    expect(minor[0]).toMatchObject({ updatable: true, runsAsInstalled: true });
    expect(checkSelection(minor, [], false)).toEqual([]);
  });
});
