/**
 * The module plan for a chosen version, and the check of a module selection against it. A plan is a
 * read model over the verified catalog, the installed product and the licences in force: computed
 * again only when one of them changed (each source hands out a new object then).
 */
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { Clock } from '../adapters/clock.js';
import type { Catalog } from '../domain/catalog.js';
import { type LicenceDocument, licencesInForce, licensedModules } from '../domain/licence.js';
import type { InstalledProduct } from '../domain/system.js';
import { checkSelection, type ModulePlanEntry, type ModuleSelection, planModules, type SelectionProblem } from '../domain/module-plan.js';
import type { UpdatesService } from './updates.service.js';
import { InvalidInputError, VersionNotFoundError } from '../domain/errors/index.js';
import { firstDuplicate } from '../domain/input-rules.js';
import { ReadModel } from './read-models/read-model.js';

export interface ModulePlan {
  targetVersion: string;
  modules: ModulePlanEntry[];
}

export class ModulesService {
  private readonly plans = new ReadModel<[Catalog, InstalledProduct, LicenceDocument[]], string, Promise<ModulePlan>>();

  constructor(
    /** The installed product, kept until it changes (the installed-product read model). */
    private readonly layout: Pick<ApplianceLayout, 'readInstalled' | 'moduleSupportedSystem'>,
    private readonly updates: Pick<UpdatesService, 'findRelease'>,
    /** The licences in force: the same array until that changes. */
    private readonly licences: () => LicenceDocument[],
    private readonly clock: Clock,
  ) {}

  /** How many plans were computed (once per version and change of the inputs). */
  get computations(): number {
    return this.plans.computations;
  }

  async plan(targetVersion: string): Promise<ModulePlan> {
    const found = this.updates.findRelease(targetVersion);
    if (!found) throw new VersionNotFoundError(targetVersion);
    const installed = await this.layout.readInstalled();
    const licences = this.licences();
    // Keyed by a version the catalog has (unknown ones were refused above): the keys stay bounded.
    return this.plans.read([found.catalog, installed, licences], targetVersion, () =>
      this.computePlan(targetVersion, found.release.version, found.catalog, installed, licences),
    );
  }

  private async computePlan(
    targetVersion: string,
    releaseVersion: string,
    catalog: Catalog,
    installed: InstalledProduct,
    licences: LicenceDocument[],
  ): Promise<ModulePlan> {
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
    const licensed = licensedModules(licencesInForce(licences, this.clock.now()));
    return { targetVersion, modules: planModules(infos, releaseVersion, catalog.modules, licensed) };
  }

  /** The problems of a selection; a module chosen twice is not a problem of the plan but a wrong request. */
  async check(targetVersion: string, selections: ModuleSelection[], acknowledgeWarnings: boolean): Promise<SelectionProblem[]> {
    const twice = firstDuplicate(selections, (s) => s.moduleId);
    if (twice) throw new InvalidInputError(`Module ${twice} is listed twice; choose each module once.`, 'modules');
    return checkSelection((await this.plan(targetVersion)).modules, selections, acknowledgeWarnings);
  }
}
