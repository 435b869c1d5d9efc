/** The module plan for a chosen version, and the check of a module selection against it. */
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { Clock } from '../adapters/clock.js';
import { type LicenceDocument, licencesInForce, licensedModules } from '../domain/licence.js';
import { checkSelection, type ModulePlanEntry, type ModuleSelection, planModules, type SelectionProblem } from '../domain/module-plan.js';
import type { UpdatesService } from './updates.service.js';
import { InvalidInputError, VersionNotFoundError } from '../domain/errors/index.js';
import { firstDuplicate } from '../domain/input-rules.js';

export class ModulesService {
  constructor(
    private readonly layout: Pick<ApplianceLayout, 'readInstalled' | 'moduleSupportedSystem'>,
    private readonly updates: Pick<UpdatesService, 'findRelease'>,
    private readonly licences: () => LicenceDocument[],
    private readonly clock: Clock,
  ) {}

  async plan(targetVersion: string): Promise<{ targetVersion: string; modules: ModulePlanEntry[] }> {
    const found = this.updates.findRelease(targetVersion);
    if (!found) throw new VersionNotFoundError(targetVersion);
    const installed = await this.layout.readInstalled();
    const infos = await Promise.all(
      installed.modules
        .filter((m) => m.enabled)
        .map(async (m) => ({
          id: m.id,
          name: m.name,
          version: m.version,
          supportedSystem: await this.layout.moduleSupportedSystem(m.id, m.version),
        })),
    );
    const licensed = licensedModules(licencesInForce(this.licences(), this.clock.now()));
    return { targetVersion, modules: planModules(infos, found.release.version, found.catalog.modules, licensed) };
  }

  /** The problems of a selection; a module chosen twice is not a problem of the plan but a wrong request. */
  async check(targetVersion: string, selections: ModuleSelection[], acknowledgeWarnings: boolean): Promise<SelectionProblem[]> {
    const twice = firstDuplicate(selections, (s) => s.moduleId);
    if (twice) throw new InvalidInputError(`Module ${twice} is listed twice; choose each module once.`, 'modules');
    return checkSelection((await this.plan(targetVersion)).modules, selections, acknowledgeWarnings);
  }
}
