/**
 * The module plan for a target version: for each installed module, whether it can follow the
 * system, which version it would move to (newer compatible versions are pre-selected), and the
 * warnings an admin must acknowledge. Also the check of a selection against the plan. Pure.
 */
import semver from 'semver';
import type { ModuleRelease } from './catalog.js';

export type ModuleWarningCode = 'NOT_RELEASED_FOR_TARGET' | 'NOT_UPDATABLE' | 'WILL_BE_DISABLED' | 'UNKNOWN_TO_FEED';

export interface ModuleWarning {
  code: ModuleWarningCode;
  message: string;
}

export interface InstalledModuleInfo {
  id: string;
  name: string;
  version: string;
  /** The system versions the installed module version supports (from its manifest), if known. */
  supportedSystem: string | null;
}

export interface ModulePlanEntry {
  moduleId: string;
  name: string;
  installedVersion: string;
  /** The newest module version released for the target, if any. */
  targetVersion: string | null;
  /** The module keeps working on the target (with the target version, or as installed). */
  compatible: boolean;
  /** Updated together with the system unless the admin unchecks it. */
  selected: boolean;
  /** Whether an update to targetVersion may be chosen at all. */
  updatable: boolean;
  /** The installed version supports the target: left unselected, the module keeps running as it is. */
  runsAsInstalled: boolean;
  warnings: ModuleWarning[];
}

export function planModules(
  installed: InstalledModuleInfo[],
  targetSystemVersion: string,
  catalogModules: ModuleRelease[],
  licensed: Set<string>,
): ModulePlanEntry[] {
  const supports = (range: string | null) => !!range && semver.satisfies(targetSystemVersion, range, { includePrerelease: true });
  return installed.map((m) => {
    const known = catalogModules.filter((c) => c.id === m.id);
    const installedRuns = supports(m.supportedSystem);
    const candidate = known
      .filter((c) => supports(c.supportedSystem) && semver.gte(c.version, m.version))
      .sort((a, b) => semver.rcompare(a.version, b.version))[0];
    const warnings: ModuleWarning[] = [];
    const disabled = () =>
      warnings.push({
        code: 'WILL_BE_DISABLED',
        message: `${m.name} ${m.version} does not run on ${targetSystemVersion}: it will be disabled by the update.`,
      });

    // Nothing to move to: the module stays as installed, or is disabled when it cannot run there.
    const leftAsIs = (warning: ModuleWarning): ModulePlanEntry => {
      warnings.push(warning);
      if (!installedRuns) disabled();
      return {
        moduleId: m.id,
        name: m.name,
        installedVersion: m.version,
        targetVersion: null,
        compatible: installedRuns,
        selected: false,
        updatable: false,
        runsAsInstalled: installedRuns,
        warnings,
      };
    };
    if (known.length === 0) {
      return leftAsIs({ code: 'UNKNOWN_TO_FEED', message: `${m.name} is not published by the vendor; Patchbay cannot update it.` });
    }
    if (!candidate) {
      return leftAsIs({ code: 'NOT_RELEASED_FOR_TARGET', message: `No version of ${m.name} is released for ${targetSystemVersion}.` });
    }
    const newer = semver.gt(candidate.version, m.version);
    const isLicensed = licensed.has(m.id);
    if (newer && !isLicensed) {
      warnings.push({
        code: 'NOT_UPDATABLE',
        message: `${m.name} ${candidate.version} cannot be installed: the module is not licensed. Import a licence that includes ${m.name}.`,
      });
      if (!installedRuns) disabled();
    }
    return {
      moduleId: m.id,
      name: m.name,
      installedVersion: m.version,
      targetVersion: candidate.version,
      compatible: installedRuns || (newer ? isLicensed : true),
      selected: newer && isLicensed,
      updatable: newer && isLicensed,
      runsAsInstalled: installedRuns,
      warnings,
    };
  });
}

export interface ModuleSelection {
  moduleId: string;
  version: string;
}

export type SelectionProblem =
  | { code: 'UNKNOWN_MODULE'; moduleId: string; message: string }
  | { code: 'MODULE_VERSION_INCOMPATIBLE'; moduleId: string; message: string }
  | { code: 'WARNINGS_NOT_ACKNOWLEDGED'; moduleId: string; message: string };

/**
 * Checks a selection against the plan. Absent modules stay as installed; a module with warnings
 * (one that will be disabled, or that cannot follow), or one left out that would be disabled for
 * it, needs an explicit acknowledgement.
 */
export function checkSelection(plan: ModulePlanEntry[], selections: ModuleSelection[], acknowledgeWarnings: boolean): SelectionProblem[] {
  const problems: SelectionProblem[] = [];
  const byId = new Map(plan.map((e) => [e.moduleId, e]));
  for (const s of selections) {
    const entry = byId.get(s.moduleId);
    if (!entry) {
      problems.push({ code: 'UNKNOWN_MODULE', moduleId: s.moduleId, message: `No module ${s.moduleId} is installed.` });
    } else if (!entry.updatable || entry.targetVersion !== s.version) {
      problems.push({
        code: 'MODULE_VERSION_INCOMPATIBLE',
        moduleId: s.moduleId,
        message: entry.updatable
          ? `${entry.name} can move to ${entry.targetVersion} only, not ${s.version}.`
          : `${entry.name} cannot be updated to ${s.version} with this version.`,
      });
    }
  }
  if (!acknowledgeWarnings) {
    const chosen = new Set(selections.map((s) => s.moduleId));
    for (const e of plan) {
      if (e.warnings.length)
        problems.push({
          code: 'WARNINGS_NOT_ACKNOWLEDGED',
          moduleId: e.moduleId,
          message: `Acknowledge the warnings for ${e.name}: ${e.warnings.map((w) => w.message).join(' ')}`,
        });
      else if (e.updatable && !e.runsAsInstalled && !chosen.has(e.moduleId))
        // Left out of the update, a module whose installed version cannot run on the target is disabled.
        problems.push({
          code: 'WARNINGS_NOT_ACKNOWLEDGED',
          moduleId: e.moduleId,
          message: `${e.name} ${e.installedVersion} does not run on the new version unless it is updated too: left out, it will be disabled.`,
        });
    }
  }
  return problems;
}

export interface ModuleChange {
  moduleId: string;
  name: string;
  from: string;
  /** The new version, or null when the module stays as it is. */
  to: string | null;
  /** The installed version does not run on the target and nothing replaces it. */
  disabled: boolean;
}

/**
 * The module state the appliance has after the update: each selected module moves to its chosen
 * version; any other enabled module stays, and is disabled when its installed version does not
 * support the target (the plan warned about it and the admin acknowledged the warning).
 */
export function moduleStateAfter(
  installed: (InstalledModuleInfo & { enabled: boolean })[],
  targetSystemVersion: string,
  selections: ModuleSelection[],
): { modules: { id: string; name: string; version: string; enabled: boolean }[]; changes: ModuleChange[] } {
  const chosen = new Map(selections.map((s) => [s.moduleId, s.version]));
  const changes: ModuleChange[] = [];
  const modules = installed.map((m) => {
    const to = chosen.get(m.id);
    if (to !== undefined) {
      changes.push({ moduleId: m.id, name: m.name, from: m.version, to, disabled: false });
      return { id: m.id, name: m.name, version: to, enabled: true };
    }
    const runs = !!m.supportedSystem && semver.satisfies(targetSystemVersion, m.supportedSystem, { includePrerelease: true });
    if (m.enabled && !runs) {
      changes.push({ moduleId: m.id, name: m.name, from: m.version, to: null, disabled: true });
      return { id: m.id, name: m.name, version: m.version, enabled: false };
    }
    return { id: m.id, name: m.name, version: m.version, enabled: m.enabled };
  });
  return { modules, changes };
}
