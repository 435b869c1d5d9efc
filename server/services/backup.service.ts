/**
 * The administrator's backups: the stored ones with their status and whether each can be put back,
 * one made now while the appliance runs (`createBackup`, one disruptive operation at a time), and how
 * many are kept. Restoring one is an installation job (install.service.ts).
 */
import path from 'node:path';
import type { ApplianceLayout } from '../adapters/appliance/appliance-layout.js';
import type { BackupEntry, BackupStore } from '../adapters/backup/backup-store.js';
import type { Clock } from '../adapters/clock.js';
import type { Logger } from '../adapters/logger.js';
import type { Principal } from '../domain/auth.js';
import { InsufficientDiskError, InvalidInputError } from '../domain/errors/index.js';
import { roomNeeded } from '../domain/install.js';
import type { OperationLock } from './operation-lock.js';

/** A stored backup as the administrator sees it. */
export type BackupView = BackupEntry & {
  /** VERIFIED, and the release its data belongs to is still on the appliance. */
  restorable: boolean;
};

/** How many backups are kept when the administrator has not said. */
export const DEFAULT_BACKUP_RETENTION = 5;
const RETENTION_KEY = 'backups.retention';

export interface BackupServiceDeps {
  store: Pick<BackupStore, 'list' | 'createOnline' | 'measure' | 'prune'>;
  lock: OperationLock;
  layout: Pick<
    ApplianceLayout,
    'root' | 'dataDir' | 'moduleStateFile' | 'readInstalled' | 'readManifest' | 'currentReleaseDir' | 'listReleases'
  >;
  settings: { get<T>(key: string): T | undefined; put(key: string, value: unknown, at: Date): void };
  freeSpace: (dir: string) => Promise<number>;
  logger: Logger;
  clock: Clock;
}

export class BackupService {
  constructor(private readonly deps: BackupServiceDeps) {}

  /** Newest first, the unreadable ones too (see BackupStore.list). */
  async list(): Promise<BackupView[]> {
    const releases = new Set(await this.deps.layout.listReleases());
    return (await this.deps.store.list()).map((b) => ({
      ...b,
      restorable: b.status === 'VERIFIED' && releases.has(b.manifest.applianceVersion),
    }));
  }

  /**
   * A backup while the appliance runs (SQLite's online backup API): telephony stays available. The
   * lock is taken before the first `await`: an installation asked for meanwhile is refused.
   */
  async createBackup(principal: Principal): Promise<BackupView> {
    const release = this.deps.lock.acquire('backup');
    try {
      const { layout, store } = this.deps;
      const installed = await layout.readInstalled();
      const manifest = await layout.readManifest(await layout.currentReleaseDir());
      const source = { dataDir: layout.dataDir, moduleStateFile: layout.moduleStateFile };
      const { bytes } = await store.measure(source);
      const needed = roomNeeded(bytes, 0);
      const free = await this.deps.freeSpace(path.dirname(layout.root));
      if (free < needed) throw new InsufficientDiskError(needed, free);
      const made = await store.createOnline(source, {
        reason: `requested by ${principal.username}`,
        jobId: null,
        applianceVersion: installed.version,
        dataSchemaVersion: manifest.dataSchemaVersion,
      });
      // The backup is made; a failed clean-up of older ones does not undo that (the next backup tries again).
      await store.prune(this.retention(), [made.id]).catch((err: unknown) => this.deps.logger.warn('pruning old backups failed', { err }));
      // Just verified, and its release is the current one: it can be restored.
      return { id: made.id, status: 'VERIFIED', manifest: made, problem: null, restorable: true };
    } finally {
      release();
    }
  }

  retention(): number {
    return this.deps.settings.get<number>(RETENTION_KEY) ?? DEFAULT_BACKUP_RETENTION;
  }

  setRetention(keep: number): number {
    if (!Number.isInteger(keep) || keep < 1 || keep > 100) {
      throw new InvalidInputError('Keep from 1 to 100 backups.', 'backupRetention');
    }
    this.deps.settings.put(RETENTION_KEY, keep, this.deps.clock.now());
    return keep;
  }
}
