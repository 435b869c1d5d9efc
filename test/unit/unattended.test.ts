/**
 * The unattended policy's rule: which release it takes (patch or any, the next required stop,
 * licences, nothing newer), which modules go with it and when it waits for an acknowledgement,
 * the setting's refusals, and that the SPA has words for every notice it records.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, NoMaintenanceWindowError } from '../../server/domain/errors/index.js';
import type { ModulePlanEntry } from '../../server/domain/module-plan.js';
import { UNATTENDED_NOTICE_CODES } from '../../server/domain/unattended-notices.js';
import {
  nextUnattendedStep,
  ofKind,
  type UnattendedCandidate,
  type UnattendedKind,
  type UnattendedStep,
  unattendedModules,
  validateUnattendedPolicy,
} from '../../server/domain/unattended.js';
import { de as deWords } from '../../web/src/i18n/de.js';
import { en as enWords } from '../../web/src/i18n/en.js';
import { fr as frWords } from '../../web/src/i18n/fr.js';
import { messages as de } from '../../web/src/i18n/notices/unattended.de.js';
import { messages as en } from '../../web/src/i18n/notices/unattended.en.js';
import { messages as fr } from '../../web/src/i18n/notices/unattended.fr.js';

const direct = (version: string): UnattendedCandidate => ({ version, requiredStops: [], blockers: [] });
const via = (version: string, ...stops: string[]): UnattendedCandidate => ({
  version,
  requiredStops: stops,
  blockers: [{ code: 'UPGRADE_PATH', message: `install ${stops.join(', ')} first` }],
});
const unreachable = (version: string): UnattendedCandidate => ({
  version,
  requiredStops: [],
  blockers: [{ code: 'UPGRADE_PATH', message: 'no way there' }],
});
const unlicensed = (c: UnattendedCandidate, code = 'MAJOR_NOT_LICENSED'): UnattendedCandidate => ({
  ...c,
  blockers: [...c.blockers, { code, message: code }],
});

describe('ofKind', () => {
  it.each([
    ['PATCH', '8.1.0', '8.1.3', true],
    ['PATCH', '8.1.0', '8.2.0', false],
    ['PATCH', '8.1.0', '9.1.0', false],
    ['PATCH', '8.1.0', '8.1.0', false],
    ['PATCH', '8.1.0', '8.1.1-beta.1', false],
    ['ANY', '8.1.0', '9.0.0', true],
    ['ANY', '8.1.0', '8.0.9', false],
  ] as const)('%s from %s: %s is %s', (kind, installed, version, expected) => {
    expect(ofKind(kind, installed, version)).toBe(expected);
  });
});

describe('nextUnattendedStep', () => {
  const table: [string, UnattendedKind, UnattendedCandidate[], UnattendedStep][] = [
    [
      'PATCH takes the newest patch of the installed minor',
      'PATCH',
      [direct('8.1.2'), direct('8.1.3'), direct('8.2.0')],
      { kind: 'STEP', version: '8.1.3', toward: '8.1.3' },
    ],
    ['PATCH leaves a newer minor alone: nothing newer of its kind', 'PATCH', [direct('8.2.0'), direct('9.0.0')], { kind: 'NOTHING_NEWER' }],
    ['ANY takes the newest release', 'ANY', [direct('8.1.3'), direct('8.2.0')], { kind: 'STEP', version: '8.2.0', toward: '8.2.0' }],
    [
      'ANY takes the first required stop, not the goal past it',
      'ANY',
      [direct('8.2.0'), via('9.0.0', '8.2.0'), via('9.1.0', '8.2.0', '9.0.0')],
      { kind: 'STEP', version: '8.2.0', toward: '9.1.0' },
    ],
    [
      'PATCH takes a required stop inside the minor',
      'PATCH',
      [direct('8.1.2'), via('8.1.5', '8.1.2')],
      { kind: 'STEP', version: '8.1.2', toward: '8.1.5' },
    ],
    [
      'ANY aims at the newest release the licences allow now',
      'ANY',
      [direct('8.2.0'), unlicensed(via('9.0.0', '8.2.0'))],
      { kind: 'STEP', version: '8.2.0', toward: '8.2.0' },
    ],
    [
      'ANY skips a release no path leads to',
      'ANY',
      [direct('8.2.0'), unreachable('9.0.0')],
      { kind: 'STEP', version: '8.2.0', toward: '8.2.0' },
    ],
    [
      'a required stop the licences do not allow blocks the way',
      'ANY',
      [unlicensed(direct('8.2.0'), 'CONTRACT_EXPIRED'), via('8.3.0', '8.2.0')],
      { kind: 'BLOCKED', version: '8.2.0', blockers: ['CONTRACT_EXPIRED'] },
    ],
    [
      'nothing licensed: blocked, named by the newest of the kind',
      'ANY',
      [unlicensed(direct('9.0.0')), unlicensed(direct('8.2.0'), 'CONTRACT_MISSING')],
      { kind: 'BLOCKED', version: '9.0.0', blockers: ['MAJOR_NOT_LICENSED'] },
    ],
    [
      'a stop the catalog does not list blocks the way',
      'ANY',
      [via('9.0.0', '8.2.0')],
      { kind: 'BLOCKED', version: '8.2.0', blockers: ['UPGRADE_PATH'] },
    ],
    ['no newer release at all', 'ANY', [], { kind: 'NOTHING_NEWER' }],
  ];
  it.each(table)('%s', (_name, kind, candidates, expected) => {
    expect(nextUnattendedStep(kind, '8.1.0', candidates)).toEqual(expected);
  });
});

const entry = (over: Partial<ModulePlanEntry>): ModulePlanEntry => ({
  moduleId: 'fax',
  name: 'Fax',
  installedVersion: '2.0.0',
  targetVersion: '2.0.1',
  compatible: true,
  selected: true,
  updatable: true,
  runsAsInstalled: true,
  warnings: [],
  ...over,
});

describe('unattendedModules', () => {
  it('takes the modules the plan pre-selects, as an admin who changes nothing', () => {
    const plan = [
      entry({}),
      entry({ moduleId: 'crm', name: 'CRM', targetVersion: '1.4.0', installedVersion: '1.4.0', selected: false, updatable: false }),
    ];
    expect(unattendedModules(plan)).toEqual({ kind: 'SELECTED', selections: [{ moduleId: 'fax', version: '2.0.1' }] });
  });

  it('waits for the admin when the plan has warnings to acknowledge', () => {
    const plan = [
      entry({}),
      entry({
        moduleId: 'callcenter',
        name: 'Call Center',
        targetVersion: null,
        selected: false,
        updatable: false,
        runsAsInstalled: false,
        warnings: [{ code: 'WILL_BE_DISABLED', message: 'disabled' }],
      }),
    ];
    expect(unattendedModules(plan)).toEqual({ kind: 'NEEDS_ACKNOWLEDGEMENT', modules: ['Call Center'] });
  });

  it('takes a release without modules as it is', () => {
    expect(unattendedModules([])).toEqual({ kind: 'SELECTED', selections: [] });
  });
});

describe('validateUnattendedPolicy', () => {
  it('refuses to turn the policy on without a maintenance window', () => {
    expect(() => validateUnattendedPolicy({ enabled: true, kind: 'PATCH' }, false)).toThrow(NoMaintenanceWindowError);
  });

  it('lets it be turned off, or set, without a window', () => {
    expect(validateUnattendedPolicy({ enabled: false, kind: 'ANY' }, false)).toEqual({ enabled: false, kind: 'ANY' });
    expect(validateUnattendedPolicy({ enabled: true, kind: 'ANY' }, true)).toEqual({ enabled: true, kind: 'ANY' });
  });

  it('refuses an unknown kind', () => {
    expect(() => validateUnattendedPolicy({ enabled: false, kind: 'MAJOR' as UnattendedKind }, true)).toThrow(InvalidInputError);
  });
});

describe('its words', () => {
  it.each([
    ['en', enWords, en],
    ['de', deWords, de],
    ['fr', frWords, fr],
  ] as const)('in %s: every notice code, each kind, the refusal and an unreachable server', (_locale, words, notices) => {
    const catalog = words as Record<string, string>;
    const keys = ['unattended.kind.PATCH', 'unattended.kind.ANY', 'unattended.error.NO_MAINTENANCE_WINDOW', 'unattended.error.NETWORK'];
    expect(keys.filter((k) => !catalog[k])).toEqual([]);
    expect(UNATTENDED_NOTICE_CODES.filter((c) => !notices[`notice.${c}`])).toEqual([]);
  });
});
