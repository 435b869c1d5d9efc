/**
 * The `system` view: identity, installed release and modules, and the live state that the
 * supervisor reports. Publishes a snapshot on `system/state` at every state change.
 */
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { Logger } from '../adapters/logger.js';
import type { SystemSnapshot } from '../domain/system.js';
import type { EventBus } from '../events.js';
import type { ApplianceSupervisor } from './appliance-supervisor.js';
import { ApplianceOperationError } from '../domain/errors/index.js';

export class SystemService {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly systemId: string,
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

  async snapshot(): Promise<SystemSnapshot> {
    const installed = await this.layout.readInstalled();
    const live = this.supervisor.getState();
    return {
      ...installed,
      systemId: this.systemId,
      state: live.state,
      telephonyAvailable: live.telephonyAvailable,
      stateReason: live.reason,
      stateSince: live.since.toISOString(),
      sipPort: this.sipPort(),
    };
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
