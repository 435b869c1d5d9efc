/**
 * The unattended policy (opt-in): which kind of release Patchbay downloads by itself after a
 * successful update check and plans for the next maintenance window, and the rule that picks the
 * one release to take now. Pure: the versions, their paths and blockers, and the module plan are
 * parameters.
 *
 * The rule never goes further than the admin allowed:
 * - only releases of the chosen kind (PATCH: a patch release of the installed major.minor; ANY: any
 *   newer release on the channel);
 * - the goal is the newest of them that the licences allow now, and the release taken is the next
 *   step toward it: its first required stop, never the goal past a stop;
 * - the step itself must be installable now (licences, contract, path) and of the chosen kind;
 * - a step whose module plan has warnings is not taken: acknowledging them is the admin's call.
 */
import semver from 'semver';
import { InvalidInputError, NoMaintenanceWindowError } from './errors/index.js';
import { checkSelection, type ModulePlanEntry, type ModuleSelection } from './module-plan.js';
import type { Blocker } from './upgrade-path.js';

export const UNATTENDED_KINDS = ['PATCH', 'ANY'] as const;
export type UnattendedKind = (typeof UNATTENDED_KINDS)[number];

export interface UnattendedPolicy {
  enabled: boolean;
  kind: UnattendedKind;
}

/** Off until the admin turns it on. */
export const DEFAULT_UNATTENDED_POLICY: UnattendedPolicy = { enabled: false, kind: 'PATCH' };

/** Who the jobs the policy starts are recorded as created and scheduled by. */
export const UNATTENDED_USER = 'unattended policy';

/** The blockers that only the path causes: a stop to install first, or no way there at all. */
const PATH_BLOCKER = 'UPGRADE_PATH';

/** A newer release as the catalog assesses it (AvailableVersion carries these). */
export interface UnattendedCandidate {
  version: string;
  requiredStops: string[];
  blockers: Blocker[];
}

/**
 * STEP: download and plan `version`, on the way to `toward` (the same when no stop is needed).
 * NOTHING_NEWER: no newer release of the kind. BLOCKED: there are some, but none that the
 * licences and the path allow now (`version`: the one looked at, `blockers`: its codes).
 */
export type UnattendedStep =
  { kind: 'STEP'; version: string; toward: string } | { kind: 'NOTHING_NEWER' } | { kind: 'BLOCKED'; version: string; blockers: string[] };

/** Whether `version` is of the kind, from the installed one. */
export function ofKind(kind: UnattendedKind, installed: string, version: string): boolean {
  if (!semver.gt(version, installed)) return false;
  if (kind === 'ANY') return true;
  return (
    semver.major(version) === semver.major(installed) && semver.minor(version) === semver.minor(installed) && !semver.prerelease(version)
  );
}

/** Its only blockers are the stops to install first (there is a way, through them). */
const reachable = (c: UnattendedCandidate) =>
  c.blockers.every((b) => b.code === PATH_BLOCKER) && (c.blockers.length === 0 || c.requiredStops.length > 0);

/** The release to take now, from the newer releases (any order). */
export function nextUnattendedStep(kind: UnattendedKind, installed: string, candidates: UnattendedCandidate[]): UnattendedStep {
  const mine = candidates.filter((c) => ofKind(kind, installed, c.version)).sort((a, b) => semver.rcompare(a.version, b.version));
  if (mine.length === 0) return { kind: 'NOTHING_NEWER' };
  const goal = mine.find(reachable);
  if (!goal) return blocked(mine[0]!);
  const stepVersion = goal.requiredStops[0] ?? goal.version;
  const step = candidates.find((c) => c.version === stepVersion);
  if (!step) return { kind: 'BLOCKED', version: stepVersion, blockers: [PATH_BLOCKER] };
  if (!ofKind(kind, installed, step.version) || step.blockers.length > 0) return blocked(step);
  return { kind: 'STEP', version: step.version, toward: goal.version };
}

function blocked(c: UnattendedCandidate): UnattendedStep {
  return { kind: 'BLOCKED', version: c.version, blockers: [...new Set(c.blockers.map((b) => b.code))] };
}

/**
 * The modules that go with an unattended step: those the plan pre-selects, as an admin who changes
 * nothing would take them; or, when the plan has warnings to acknowledge, the modules concerned.
 */
export type UnattendedModules = { kind: 'SELECTED'; selections: ModuleSelection[] } | { kind: 'NEEDS_ACKNOWLEDGEMENT'; modules: string[] };

export function unattendedModules(plan: ModulePlanEntry[]): UnattendedModules {
  const selections = plan.filter((e) => e.selected && e.targetVersion).map((e) => ({ moduleId: e.moduleId, version: e.targetVersion! }));
  const problems = checkSelection(plan, selections, false);
  if (problems.length === 0) return { kind: 'SELECTED', selections };
  const names = new Map(plan.map((e) => [e.moduleId, e.name]));
  return { kind: 'NEEDS_ACKNOWLEDGEMENT', modules: [...new Set(problems.map((p) => names.get(p.moduleId) ?? p.moduleId))] };
}

/** The policy as set: enabling it needs a maintenance window to install in (NoMaintenanceWindowError). */
export function validateUnattendedPolicy(input: UnattendedPolicy, hasWindow: boolean): UnattendedPolicy {
  if (!(UNATTENDED_KINDS as readonly string[]).includes(input.kind)) {
    throw new InvalidInputError(`The kind is one of ${UNATTENDED_KINDS.join(', ')}.`, 'kind');
  }
  if (input.enabled && !hasWindow) throw new NoMaintenanceWindowError();
  return { enabled: input.enabled, kind: input.kind };
}
