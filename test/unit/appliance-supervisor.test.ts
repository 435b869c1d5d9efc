/**
 * The supervisor's state machine and backoff, with a scripted runtime and a manual clock (the real
 * process is exercised in test/integration/appliance).
 */
import { describe, expect, it } from 'vitest';
import type { ApplianceExit, ApplianceHealth, ApplianceRuntime } from '../../server/adapters/appliance/appliance-runtime.js';
import { unsupportedCallControl } from '../../server/adapters/appliance/unsupported-call-control.js';
import type { Clock } from '../../server/adapters/clock.js';
import { createLogger } from '../../server/adapters/logger.js';
import { ApplianceSupervisor } from '../../server/services/appliance-supervisor.js';

class ManualClock implements Clock {
  private t = Date.parse('2026-11-24T10:00:00Z');
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now = () => new Date(this.t);
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  /** Advances time, running due timers in order and letting their promises settle. */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      for (let i = 0; i < 20; i++) await Promise.resolve();
    }
    this.t = end;
    for (let i = 0; i < 20; i++) await Promise.resolve();
  }
}

class ScriptedRuntime implements ApplianceRuntime {
  readonly calls = unsupportedCallControl;
  running = false;
  healthy = true;
  startFailures = 0;
  starts = 0;
  private listeners = new Set<(e: ApplianceExit) => void>();
  async start() {
    this.starts += 1;
    if (this.startFailures > 0) {
      this.startFailures -= 1;
      throw new Error('exit code 1 during start');
    }
    this.running = true;
  }
  async stop() {
    this.running = false;
  }
  async health(): Promise<ApplianceHealth> {
    const ok = this.running && this.healthy;
    return { healthy: ok, telephonyAvailable: ok, version: '8.1.0', detail: ok ? null : this.running ? 'HTTP 503' : 'not running' };
  }
  onUnexpectedExit(l: (e: ApplianceExit) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  isRunning() {
    return this.running;
  }
  crash() {
    this.running = false;
    for (const l of this.listeners) l({ code: 1, signal: null });
  }
}

function setup() {
  const clock = new ManualClock();
  const runtime = new ScriptedRuntime();
  const delays: number[] = [];
  const logger = createLogger('debug', (line) => {
    const entry = JSON.parse(line) as { msg: string; inMs?: number };
    if (entry.msg === 'restarting the appliance') delays.push(entry.inMs!);
  });
  const sut = new ApplianceSupervisor({
    runtime,
    clock,
    logger,
    healthIntervalMs: 5000,
    restartBackoffMs: { initial: 500, max: 4000 },
    random: () => 1,
  });
  const states: string[] = [];
  sut.onStateChange((s) => states.push(s.state));
  return { clock, runtime, sut, states, delays };
}

describe('ApplianceSupervisor', () => {
  describe('start', () => {
    it('adopts an appliance that already answers healthy without starting it again', async () => {
      const { runtime, sut } = setup();
      runtime.running = true;
      await sut.start();
      expect(runtime.starts).toBe(0);
      expect(sut.getState().state).toBe('RUNNING');
    });
  });

  describe('after a crash', () => {
    it('restarts with exponential backoff, capped, until the appliance comes back', async () => {
      const { clock, runtime, sut, states, delays } = setup();
      await sut.start();
      runtime.startFailures = 4;
      runtime.crash();
      expect(sut.getState()).toMatchObject({ state: 'DEGRADED', reason: 'The appliance exited with code 1.' });
      for (let i = 0; i < 10 && sut.getState().state !== 'RUNNING'; i++) await clock.advance(1000);
      await clock.advance(10_000);
      expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
      expect(sut.getState().state).toBe('RUNNING');
      // The first start and the five restarts.
      expect(states.filter((s) => s === 'RESTARTING')).toHaveLength(6);
    });
  });

  describe('launch and awaitHealthy (for the installer)', () => {
    it('starts the appliance and supervises it again once healthy, measuring how long it took', async () => {
      const { clock, runtime, sut, states } = setup();
      await sut.start();
      await sut.stopForMaintenance('installing 8.2.0');
      await sut.launch('starting 8.2.0');
      expect(sut.getState()).toMatchObject({ state: 'RESTARTING', reason: 'starting 8.2.0' });
      await sut.awaitHealthy(5000);
      expect(sut.getState().state).toBe('RUNNING');
      expect(sut.timings().lastStartMs).not.toBeNull();
      // Supervised again: a crash now is restarted.
      runtime.crash();
      await clock.advance(2000);
      expect(runtime.starts).toBe(3);
      expect(states.slice(-3)).toEqual(['DEGRADED', 'RESTARTING', 'RUNNING']);
    });

    it('stays in maintenance, stopped and not restarted, when the launch fails', async () => {
      const { clock, runtime, sut } = setup();
      await sut.start();
      await sut.stopForMaintenance('installing');
      runtime.startFailures = 1;
      await expect(sut.launch('starting 8.2.0')).rejects.toThrow(/exit code 1/);
      expect(sut.getState()).toMatchObject({ state: 'MAINTENANCE', reason: 'start failed: exit code 1 during start' });
      await clock.advance(60_000);
      expect(runtime.starts).toBe(2);
    });

    it('stops the appliance and stays in maintenance when it is not healthy in time', async () => {
      const { clock, runtime, sut } = setup();
      await sut.start();
      await sut.stopForMaintenance('installing');
      runtime.healthy = false;
      await sut.launch('starting 8.2.0');
      const waiting = sut.awaitHealthy(1000);
      const outcome = expect(waiting).rejects.toThrow(/did not become healthy within 1000 ms \(HTTP 503\)/);
      for (let i = 0; i < 20; i++) await clock.advance(100);
      await outcome;
      expect(runtime.running).toBe(false);
      expect(sut.getState().state).toBe('MAINTENANCE');
      await clock.advance(60_000);
      expect(runtime.starts).toBe(2);
    });
  });

  describe('health checks', () => {
    it('turns DEGRADED when the appliance stops answering healthy, and RUNNING when it recovers', async () => {
      const { clock, runtime, sut } = setup();
      await sut.start();
      runtime.healthy = false;
      await clock.advance(5000);
      expect(sut.getState()).toMatchObject({ state: 'DEGRADED', reason: 'Health check failed: HTTP 503' });
      runtime.healthy = true;
      await clock.advance(5000);
      expect(sut.getState().state).toBe('RUNNING');
    });

    it('does not restart an appliance in maintenance', async () => {
      const { clock, runtime, sut } = setup();
      await sut.start();
      await sut.stopForMaintenance('update');
      await clock.advance(60_000);
      expect(runtime.starts).toBe(1);
      expect(sut.getState().state).toBe('MAINTENANCE');
    });
  });

  describe('shutdown', () => {
    it('stops supervising without announcing anything more', async () => {
      const { runtime, sut, states } = setup();
      await sut.start();
      const before = states.length;
      await sut.shutdown({ stopAppliance: false });
      runtime.crash();
      expect(states).toHaveLength(before);
      expect(runtime.running).toBe(false);
    });
  });
});
