/**
 * The installed product (release and modules) and the system ranges its modules declare, read from
 * the appliance's files once and kept until the appliance's state changes. The layout changes only
 * while the appliance is stopped (installation, rollback, restore, crash recovery), and every one of
 * those starts it again afterwards: a state change follows every change of the files.
 */
import type { ApplianceLayout } from '../../adapters/appliance/appliance-layout.js';
import type { InstalledProduct } from '../../domain/system.js';
import type { ApplianceSupervisor } from '../appliance-supervisor.js';
import { ReadModel } from './read-model.js';

export class InstalledProductReadModel {
  /** Bumped at every state change of the appliance: the one input of both caches. */
  private epoch = 0;
  private readonly product = new ReadModel<[number], null, Promise<InstalledProduct>>();
  private readonly supported = new ReadModel<[number], string, Promise<string | null>>();

  constructor(private readonly layout: Pick<ApplianceLayout, 'readInstalled' | 'moduleSupportedSystem'>) {}

  get computations(): number {
    return this.product.computations;
  }

  readInstalled(): Promise<InstalledProduct> {
    return this.product.read([this.epoch], null, () => this.layout.readInstalled());
  }

  /** Asked only for installed modules, so the keys stay bounded. */
  moduleSupportedSystem(id: string, version: string): Promise<string | null> {
    return this.supported.read([this.epoch], `${id}@${version}`, () => this.layout.moduleSupportedSystem(id, version));
  }

  invalidate(): void {
    this.epoch += 1;
  }

  /**
   * Invalidates at every state change; registered before any listener that reads the product (the
   * system snapshot published on `system/state`), as the supervisor calls its listeners in order.
   */
  watch(supervisor: Pick<ApplianceSupervisor, 'onStateChange'>): () => void {
    return supervisor.onStateChange(() => this.invalidate());
  }
}
