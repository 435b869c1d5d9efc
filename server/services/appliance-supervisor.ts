/**
 * Owns the appliance's live state (RUNNING, MAINTENANCE, RESTARTING, DEGRADED): starts it and
 * waits until it is healthy, checks its health periodically, restarts it with exponential backoff
 * and jitter when it crashes, and stops it on purpose for maintenance. Every change of state,
 * telephony flag or reason is announced to the listeners. It knows nothing of GraphQL.
 */
import type { ApplianceRuntime } from '../adapters/appliance/appliance-runtime.js';
import type { Clock } from '../adapters/clock.js';
import { type Logger, silentLogger } from '../adapters/logger.js';
import type { SystemState } from '../domain/system.js';

export interface SupervisorState {
  state: SystemState;
  telephonyAvailable: boolean;
  reason: string | null;
  since: Date;
}

export interface ApplianceSupervisorOptions {
  runtime: ApplianceRuntime;
  clock: Clock;
  logger?: Logger;
  healthIntervalMs?: number;
  /** How long a start may take to become healthy. */
  startHealthTimeoutMs?: number;
  restartBackoffMs?: { initial: number; max: number };
  random?: () => number;
}

export class ApplianceSupervisor {
  private current: SupervisorState;
  private readonly listeners = new Set<(state: SupervisorState) => void>();
  private healthTimer: unknown = null;
  private restartTimer: unknown = null;
  private restartAttempts = 0;
  private maintenance = false;
  private shutDown = false;
  /** Serialises start/stop/restart so that two transitions never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly logger: Logger;
  private readonly unsubscribeExit: () => void;
  private launchedAt: number | null = null;
  private lastStartMs: number | null = null;
  private lastStopMs: number | null = null;

  constructor(private readonly options: ApplianceSupervisorOptions) {
    this.logger = options.logger ?? silentLogger;
    this.current = { state: 'RESTARTING', telephonyAvailable: false, reason: 'starting', since: options.clock.now() };
    this.unsubscribeExit = options.runtime.onUnexpectedExit((exit) => {
      if (this.shutDown || this.maintenance) return;
      const how = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      this.set('DEGRADED', false, `The appliance ${how}.`);
      this.scheduleRestart();
    });
  }

  getState(): SupervisorState {
    return { ...this.current };
  }

  onStateChange(listener: (state: SupervisorState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Brings the appliance up (or adopts one that already answers healthy) and starts watching it. */
  start(): Promise<void> {
    return this.serial(async () => {
      this.maintenance = false;
      const health = await this.options.runtime.health();
      if (health.healthy) {
        this.set('RUNNING', health.telephonyAvailable, null);
      } else {
        this.set('RESTARTING', false, 'starting the appliance');
        await this.bringUp();
      }
      this.watchHealth();
    });
  }

  /** Stops the appliance on purpose (an update): MAINTENANCE, no automatic restart. */
  stopForMaintenance(reason: string): Promise<void> {
    return this.serial(async () => {
      this.maintenance = true;
      this.cancelTimers();
      this.set('MAINTENANCE', false, reason);
      const started = this.options.clock.now().getTime();
      await this.options.runtime.stop();
      this.lastStopMs = this.options.clock.now().getTime() - started;
    });
  }

  startAfterMaintenance(): Promise<void> {
    return this.start();
  }

  /**
   * For the installer: launches the appliance (still in maintenance: no automatic restart). When it
   * fails to launch it is stopped again and stays in MAINTENANCE, so that the caller can restore.
   */
  launch(reason: string): Promise<void> {
    return this.serial(async () => {
      this.maintenance = true;
      this.cancelTimers();
      this.set('RESTARTING', false, reason);
      this.launchedAt = this.options.clock.now().getTime();
      try {
        await this.options.runtime.start();
      } catch (err) {
        await this.options.runtime.stop();
        this.set('MAINTENANCE', false, `start failed: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    });
  }

  /**
   * For the installer: waits until the launched appliance is healthy, then supervises it as usual.
   * On a timeout (or an exit) it is stopped and stays in MAINTENANCE.
   */
  awaitHealthy(timeoutMs: number): Promise<void> {
    return this.serial(async () => {
      try {
        await this.waitHealthy(timeoutMs);
      } catch (err) {
        await this.options.runtime.stop();
        this.set('MAINTENANCE', false, `health check failed: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
      this.maintenance = false;
      this.restartAttempts = 0;
      this.watchHealth();
    });
  }

  /** How long the last stop and the last start-until-healthy took, when measured. */
  timings(): { lastStopMs: number | null; lastStartMs: number | null } {
    return { lastStopMs: this.lastStopMs, lastStartMs: this.lastStartMs };
  }

  restart(reason: string): Promise<void> {
    return this.serial(async () => {
      this.maintenance = false;
      this.cancelTimers();
      this.set('RESTARTING', false, reason);
      await this.options.runtime.stop();
      await this.bringUp();
      this.watchHealth();
    });
  }

  /** Stops supervising; the appliance is stopped too when it is Patchbay's own child. */
  async shutdown({ stopAppliance }: { stopAppliance: boolean }): Promise<void> {
    this.shutDown = true;
    this.cancelTimers();
    this.unsubscribeExit();
    await this.queue.catch(() => {});
    if (stopAppliance) await this.options.runtime.stop();
    this.listeners.clear();
  }

  private async bringUp(): Promise<void> {
    try {
      this.launchedAt = this.options.clock.now().getTime();
      await this.options.runtime.start();
      await this.waitHealthy();
      this.restartAttempts = 0;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.set('DEGRADED', false, reason);
      this.scheduleRestart();
      throw err;
    }
  }

  private async waitHealthy(timeoutMs = this.options.startHealthTimeoutMs ?? 20_000): Promise<void> {
    const deadline = this.options.clock.now().getTime() + timeoutMs;
    let last = 'no answer yet';
    for (;;) {
      const health = await this.options.runtime.health();
      if (health.healthy) {
        if (this.launchedAt !== null) this.lastStartMs = this.options.clock.now().getTime() - this.launchedAt;
        this.launchedAt = null;
        this.set('RUNNING', health.telephonyAvailable, null);
        return;
      }
      last = health.detail ?? last;
      if (!this.options.runtime.isRunning()) throw new Error(`The appliance stopped while starting (${last}).`);
      if (this.options.clock.now().getTime() >= deadline) {
        throw new Error(`The appliance did not become healthy within ${timeoutMs} ms (${last}).`);
      }
      await new Promise((resolve) => this.options.clock.setTimeout(() => resolve(undefined), 100));
    }
  }

  private scheduleRestart(): void {
    if (this.shutDown || this.maintenance || this.restartTimer) return;
    const { initial, max } = this.options.restartBackoffMs ?? { initial: 500, max: 30_000 };
    const base = Math.min(initial * 2 ** this.restartAttempts, max);
    // Full jitter keeps a fleet of appliances from retrying in lockstep.
    const delay = Math.round(base / 2 + (this.options.random ?? Math.random)() * (base / 2));
    this.restartAttempts += 1;
    this.logger.info('restarting the appliance', { attempt: this.restartAttempts, inMs: delay });
    this.restartTimer = this.options.clock.setTimeout(() => {
      this.restartTimer = null;
      void this.serial(async () => {
        if (this.shutDown || this.maintenance) return;
        this.set('RESTARTING', false, `automatic restart, attempt ${this.restartAttempts}`);
        await this.options.runtime.stop();
        await this.bringUp();
        this.watchHealth();
      }).catch((err: unknown) => this.logger.warn('automatic restart failed', { err }));
    }, delay);
  }

  private watchHealth(): void {
    if (this.healthTimer || this.shutDown) return;
    const tick = () => {
      this.healthTimer = this.options.clock.setTimeout(async () => {
        this.healthTimer = null;
        if (this.shutDown || this.maintenance) return;
        if (this.current.state === 'RUNNING' || (this.current.state === 'DEGRADED' && !this.restartTimer)) {
          const health = await this.options.runtime.health();
          // The state may have moved on while the probe ran (a restart, maintenance).
          const now = this.current.state as SystemState;
          if (this.shutDown || this.maintenance || now === 'RESTARTING') return tick();
          if (health.healthy) this.set('RUNNING', health.telephonyAvailable, null);
          else if (now === 'RUNNING') this.set('DEGRADED', false, `Health check failed: ${health.detail}`);
        }
        tick();
      }, this.options.healthIntervalMs ?? 5000);
    };
    tick();
  }

  private cancelTimers(): void {
    if (this.healthTimer) this.options.clock.clearTimeout(this.healthTimer);
    if (this.restartTimer) this.options.clock.clearTimeout(this.restartTimer);
    this.healthTimer = null;
    this.restartTimer = null;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  private set(state: SystemState, telephonyAvailable: boolean, reason: string | null): void {
    const c = this.current;
    if (c.state === state && c.telephonyAvailable === telephonyAvailable && c.reason === reason) return;
    this.current = { state, telephonyAvailable, reason, since: c.state === state ? c.since : this.options.clock.now() };
    if (this.shutDown) return;
    this.logger.info('appliance state', { state, reason });
    for (const listener of this.listeners) listener(this.getState());
  }
}
