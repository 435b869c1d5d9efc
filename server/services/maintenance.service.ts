/**
 * The maintenance windows of the appliance: read them (the appliance's zone and no windows until
 * they are set), set them after validation, and where they fall from now on (the injected clock).
 */
import type { Clock } from '../adapters/clock.js';
import { InvalidInputError } from '../domain/errors/index.js';
import {
  type MaintenanceWindowsSetting,
  nextOccurrences,
  validateMaintenanceWindows,
  type WindowOccurrence,
  windowAt,
} from '../domain/maintenance-windows.js';
import type { SettingsRepository } from '../repositories/settings.repository.js';

export const MAX_NEXT_OCCURRENCES = 50;

export interface MaintenanceServiceDeps {
  settings: Pick<SettingsRepository, 'getMaintenanceWindows' | 'putMaintenanceWindows'>;
  clock: Clock;
  /** The appliance's own IANA zone (PATCHBAY_TIME_ZONE, or the system's): the zone until one is set. */
  defaultTimeZone: string;
}

export class MaintenanceService {
  constructor(private readonly deps: MaintenanceServiceDeps) {}

  get(): MaintenanceWindowsSetting {
    return this.deps.settings.getMaintenanceWindows() ?? { timeZone: this.deps.defaultTimeZone, windows: [] };
  }

  /** Throws MaintenanceWindowError for the first field at fault; nothing is stored then. */
  set(input: MaintenanceWindowsSetting): MaintenanceWindowsSetting {
    const setting = validateMaintenanceWindows(input);
    this.deps.settings.putMaintenanceWindows(setting, this.deps.clock.now());
    return setting;
  }

  /** The next `count` occurrences (1 to 50) that have not ended, one under way first. */
  next(count: number): { timeZone: string; occurrences: WindowOccurrence[] } {
    if (!Number.isInteger(count) || count < 1 || count > MAX_NEXT_OCCURRENCES) {
      throw new InvalidInputError(`Ask for 1 to ${MAX_NEXT_OCCURRENCES} occurrences.`, 'first');
    }
    const setting = this.get();
    return { timeZone: setting.timeZone, occurrences: nextOccurrences(setting, this.deps.clock.now(), count) };
  }

  /** When the maintenance time that is open now ends; null outside every window. */
  openUntil(): Date | null {
    return windowAt(this.get(), this.deps.clock.now());
  }
}
