import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplianceLayout } from '../../../server/adapters/appliance/appliance-layout.js';
import { ChildProcessAppliance } from '../../../server/adapters/appliance/child-process-appliance.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance } from '../../../server/adapters/appliance/demo-installer.js';
import type { ApplianceExit } from '../../../server/adapters/appliance/appliance-runtime.js';
import { until } from '../../helpers/until.js';

const NODE_MODULES = fileURLToPath(new URL('../../../node_modules', import.meta.url));

/** Call records in the appliance's database, read through a connection of its own (closed again). */
function countCalls(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'calls.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('ChildProcessAppliance', () => {
  let root: string;
  let layout: ApplianceLayout;
  let sut: ChildProcessAppliance;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-appliance-'));
    layout = new ApplianceLayout(root);
    await installDemoAppliance(layout, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
    sut = new ChildProcessAppliance({ layout, nodePath: NODE_MODULES, env: { PBX_CALL_INTERVAL_MS: '20' }, stopTimeoutMs: 5000 });
  });
  afterEach(async () => {
    await sut.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe('start', () => {
    it('runs the installed release, which answers healthy with its version and telephony available', async () => {
      await sut.start();
      const health = await until(
        () => sut.health(),
        (h) => h.healthy,
      );
      expect(health).toEqual({ healthy: true, telephonyAvailable: true, version: '8.1.0', detail: null });
    });

    it('creates the data: call records in SQLite, configuration files, the schema version', async () => {
      await sut.start();
      await until(
        () => sut.health(),
        (h) => h.healthy,
      );
      const db = new Database(path.join(layout.dataDir, 'calls.db'), { readonly: true });
      try {
        const { n } = db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number };
        expect(n).toBeGreaterThanOrEqual(50);
      } finally {
        db.close();
      }
      for (const f of ['pbx.json', 'dialplan.json', 'trunks.json'])
        expect(fs.existsSync(path.join(layout.dataDir, 'config', f))).toBe(true);
      expect(fs.readFileSync(path.join(layout.dataDir, 'schema-version'), 'utf8')).toBe('1');
    });

    it('refuses data whose schema version is newer than the program, with the reason', async () => {
      fs.mkdirSync(layout.dataDir, { recursive: true });
      fs.writeFileSync(path.join(layout.dataDir, 'schema-version'), '7');
      await expect(sut.start()).rejects.toMatchObject({
        code: 'APPLIANCE_START_FAILED',
        message: expect.stringMatching(/schema version 7 is newer/),
      });
      expect(sut.isRunning()).toBe(false);
    });
  });

  describe('stop', () => {
    it('stops cleanly: the call records written so far are all in the database file', async () => {
      await sut.start();
      await until(
        () => sut.health(),
        (h) => h.healthy,
      );
      // Calls taken since the start (the seed holds 50): recent writes, still in the WAL.
      await until(
        () => countCalls(layout.dataDir),
        (n) => n > 55,
      );
      await sut.stop();
      expect(sut.isRunning()).toBe(false);
      expect(
        fs.existsSync(path.join(layout.dataDir, 'calls.db-wal')) ? fs.statSync(path.join(layout.dataDir, 'calls.db-wal')).size : 0,
      ).toBe(0);
      const db = new Database(path.join(layout.dataDir, 'calls.db'), { readonly: true });
      try {
        const { n } = db.prepare('SELECT count(*) AS n FROM calls').get() as { n: number };
        expect(n).toBeGreaterThan(50);
      } finally {
        db.close();
      }
      expect((await sut.health()).detail).toBe('not running');
    });
  });

  describe('onUnexpectedExit', () => {
    it('reports a kill -9, and not a requested stop', async () => {
      const exits: ApplianceExit[] = [];
      sut.onUnexpectedExit((e) => exits.push(e));
      await sut.start();
      await sut.stop();
      await sut.start();
      const pid = Number(fs.readFileSync(path.join(layout.dataDir, 'pbx.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
      await until(
        () => exits.length,
        (n) => n > 0,
      );
      expect(exits).toEqual([{ code: null, signal: 'SIGKILL' }]);
    });
  });
});
