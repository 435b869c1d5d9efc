import { describe, expect, it } from 'vitest';
import type { BackupEntry, BackupManifest } from '../../server/adapters/backup/backup-store.js';
import { silentLogger } from '../../server/adapters/logger.js';
import { OperationInProgressError } from '../../server/domain/errors/index.js';
import { BackupService, DEFAULT_BACKUP_RETENTION } from '../../server/services/backup.service.js';
import { OperationLock } from '../../server/services/operation-lock.js';

const manifest = (id: string, applianceVersion: string) => ({ id, applianceVersion }) as BackupManifest;

/** In-memory collaborators; `finishBackup` ends the online backup that is running. */
function setup(entries: BackupEntry[] = []) {
  const lock = new OperationLock();
  const settings = new Map<string, unknown>();
  let finishBackup!: () => void;
  const sut = new BackupService({
    store: {
      list: async () => entries,
      measure: async () => ({ bytes: 1000, files: 3 }),
      prune: async () => [],
      createOnline: () =>
        new Promise<BackupManifest>((resolve) => {
          finishBackup = () => resolve(manifest('new', '8.1.0'));
        }),
    },
    lock,
    layout: {
      root: '/appliance',
      dataDir: '/appliance/data',
      moduleStateFile: '/appliance/modules/state.json',
      readInstalled: async () => ({ productId: 'pbx', version: '8.1.0', modules: [] }),
      readManifest: async () => ({ dataSchemaVersion: 2 }) as never,
      currentReleaseDir: async () => '/appliance/releases/8.1.0',
      listReleases: async () => ['8.1.0'],
    },
    settings: { get: <T>(key: string) => settings.get(key) as T | undefined, put: (key, value) => void settings.set(key, value) },
    freeSpace: async () => 10 * 2 ** 30,
    logger: silentLogger,
    clock: { now: () => new Date('2026-12-01T12:00:00Z'), setTimeout: () => 0, clearTimeout: () => {} },
  });
  return { sut, lock, finish: () => finishBackup() };
}

const admin = { kind: 'session', username: 'admin', scopes: ['read', 'operate'] } as never;

describe('BackupService', () => {
  describe('createBackup', () => {
    it('holds the lock from the moment it is called, before its first await, until the backup is made', async () => {
      const { sut, lock, finish } = setup();
      const first = sut.createBackup(admin);
      expect(lock.current()).toBe('backup');
      await expect(sut.createBackup(admin)).rejects.toBeInstanceOf(OperationInProgressError);
      await new Promise((resolve) => setImmediate(resolve));
      finish();
      expect(await first).toMatchObject({ id: 'new', status: 'VERIFIED', problem: null, restorable: true });
      expect(lock.current()).toBeNull();
    });

    it('refuses while an installation holds the lock, and leaves the lock to it', async () => {
      const { sut, lock } = setup();
      const release = lock.acquire('installation');
      await expect(sut.createBackup(admin)).rejects.toMatchObject({ operation: 'installation' });
      expect(lock.current()).toBe('installation');
      release();
    });
  });

  describe('list', () => {
    it('offers for restoring only verified backups whose release is still on the appliance', async () => {
      const problem = { code: 'FILE_MISMATCH' as const, message: 'differs' };
      const { sut } = setup([
        { id: 'a', status: 'VERIFIED', manifest: manifest('a', '8.1.0'), problem: null },
        { id: 'b', status: 'VERIFIED', manifest: manifest('b', '7.0.0'), problem: null },
        { id: 'c', status: 'VERIFICATION_FAILED', manifest: manifest('c', '8.1.0'), problem },
        { id: 'd', status: 'UNREADABLE', manifest: null, problem: { code: 'MANIFEST_MISSING', message: 'none' } },
      ]);
      expect((await sut.list()).map((b) => [b.id, b.restorable])).toEqual([
        ['a', true],
        ['b', false],
        ['c', false],
        ['d', false],
      ]);
    });
  });

  describe('retention', () => {
    it('keeps the default until the administrator sets another number from 1 to 100', () => {
      const { sut } = setup();
      expect(sut.retention()).toBe(DEFAULT_BACKUP_RETENTION);
      expect(sut.setRetention(3)).toBe(3);
      expect(sut.retention()).toBe(3);
      expect(() => sut.setRetention(0)).toThrow(/Keep from 1 to 100 backups/);
      expect(() => sut.setRetention(101)).toThrow(/Keep from 1 to 100 backups/);
      expect(sut.retention()).toBe(3);
    });
  });
});
