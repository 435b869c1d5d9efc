/**
 * The `system` view: identity, installed release and modules, and the live state that the
 * supervisor reports. Publishes a snapshot on `system/state` at every state change. The snapshot is
 * a read model over the installed product (kept until it changes) and the live state: the same
 * object until one of them changes.
 */
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { Logger } from '../adapters/logger.js';
import type { InstalledProduct, SystemSnapshot } from '../domain/system.js';
import type { EventBus } from '../events.js';
import type { ApplianceSupervisor } from './appliance-supervisor.js';
import { ApplianceOperationError } from '../domain/errors/index.js';
import { ReadModel } from './read-models/read-model.js';

type SnapshotInputs = [InstalledProduct, SystemSnapshot['state'], boolean, string | null, number, number | null];

export class SystemService {
  private unsubscribe: (() => void) | null = null;
  private readonly snapshots = new ReadModel<SnapshotInputs, null, SystemSnapshot>();

  constructor(
    private readonly systemId: string,
    /** The installed product, kept until it changes (the installed-product read model). */
    private readonly layout: Pick<ApplianceLayout, 'readInstalled'>,
    private readonly supervisor: Pick<ApplianceSupervisor, 'getState' | 'onStateChange' | 'restart'>,
    /** The UDP port the appliance answers SIP on, when Patchbay assigned it (the demo); else null. */
    private readonly sipPort: () => number | null,
    private readonly events: EventBus,
    private readonly logger: Logger,
  ) {}

  /** Starts forwarding supervisor state changes to subscribers. */
  watch(): void {
    this.unsubscribe ??= this.supervisor.onStateChange(() => {
      this.snapshot().then(
        (s) => this.events.publish('system/state', s),
        (err: unknown) => this.logger.error('system snapshot failed', { err }),
      );
    });
  }

  unwatch(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** How many snapshots were computed (once per change of the installed product or the live state). */
  get computations(): number {
    return this.snapshots.computations;
  }

  async snapshot(): Promise<SystemSnapshot> {
    const installed = await this.layout.readInstalled();
    const live = this.supervisor.getState();
    const sipPort = this.sipPort();
    const inputs: SnapshotInputs = [installed, live.state, live.telephonyAvailable, live.reason, live.since.getTime(), sipPort];
    return this.snapshots.read(inputs, null, () => ({
      ...installed,
      systemId: this.systemId,
      state: live.state,
      telephonyAvailable: live.telephonyAvailable,
      stateReason: live.reason,
      stateSince: live.since.toISOString(),
      sipPort,
    }));
  }

  /**
   * Restarts the appliance on the admin's request; resolves with the state once it is back. When it
   * does not come back, the supervisor keeps retrying and the admin gets the reason as a value.
   */
  async restart(): Promise<SystemSnapshot> {
    try {
      await this.supervisor.restart('restart requested by an administrator');
    } catch (err) {
      throw new ApplianceOperationError(`The appliance did not come back: ${err instanceof Error ? err.message : String(err)}`, 'restart');
    }
    return this.snapshot();
  }
}
