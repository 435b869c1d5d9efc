/**
 * The appliance's files as the install engine lays them out:
 *
 *   <root>/releases/<version>/manifest.json   one directory per installed release
 *   <root>/current -> releases/<version>      switched atomically
 *   <root>/data/                              the product's own data (what a backup copies)
 *   <root>/modules/<id>/<version>/manifest.json, <root>/modules/state.json
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { InstalledModule, InstalledProduct } from '../../domain/system.js';
import { ApplianceError } from '../../domain/errors/index.js';
import { fsyncDir, ifMissing, writeFileAtomic } from '../fs.js';

export const releaseManifestSchema = z.object({
  product: z.string().min(1),
  name: z.string().min(1).optional(),
  version: z.string().min(1),
  dataSchemaVersion: z.number().int().min(1),
  start: z.object({ command: z.array(z.string().min(1)).min(1) }),
  health: z.object({ path: z.string().startsWith('/'), timeoutMs: z.number().int().positive().optional() }),
  migrations: z.array(z.string()).default([]),
  /** Brings the data to this release's schema; run by the installer while the appliance is stopped. */
  migrate: z.object({ command: z.array(z.string().min(1)).min(1), timeoutMs: z.number().int().positive().optional() }).optional(),
  failMigrations: z.array(z.string()).optional(),
});
export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

const moduleStateSchema = z.object({
  modules: z.array(z.object({ id: z.string().min(1), name: z.string().min(1), version: z.string().min(1), enabled: z.boolean() })),
});

/** JSON of a layout file; text that is not JSON is an invalid layout, said so. */
function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new ApplianceError('APPLIANCE_LAYOUT_INVALID', `A layout file is not JSON: ${(err as Error).message}`);
  }
}

export class ApplianceLayout {
  readonly releasesDir: string;
  readonly currentLink: string;
  readonly dataDir: string;
  readonly modulesDir: string;
  readonly moduleStateFile: string;

  constructor(readonly root: string) {
    this.releasesDir = path.join(root, 'releases');
    this.currentLink = path.join(root, 'current');
    this.dataDir = path.join(root, 'data');
    this.modulesDir = path.join(root, 'modules');
    this.moduleStateFile = path.join(this.modulesDir, 'state.json');
  }

  releaseDir(version: string): string {
    return path.join(this.releasesDir, version);
  }

  isInstalled(): boolean {
    try {
      return fs.lstatSync(this.currentLink).isSymbolicLink() && fs.existsSync(path.join(this.currentLink, 'manifest.json'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** The release directory `current` points at (resolved). */
  async currentReleaseDir(): Promise<string> {
    try {
      const target = await fsp.readlink(this.currentLink);
      return path.resolve(this.root, target);
    } catch (err) {
      // Missing, or not a link: nothing is installed. Anything else (EACCES, EIO) is what it is.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EINVAL') throw err;
      throw new ApplianceError('APPLIANCE_NOT_INSTALLED', `No current release at ${this.currentLink}.`, { cause: String(err) });
    }
  }

  async readManifest(releaseDir: string): Promise<ReleaseManifest> {
    let raw: string;
    try {
      raw = await fsp.readFile(path.join(releaseDir, 'manifest.json'), 'utf8');
    } catch (err) {
      throw new ApplianceError('APPLIANCE_LAYOUT_INVALID', `The release at ${releaseDir} has no readable manifest.json.`, {
        cause: String(err),
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ApplianceError('APPLIANCE_LAYOUT_INVALID', `The manifest of ${releaseDir} is not JSON.`);
    }
    const parsed = releaseManifestSchema.safeParse(json);
    if (!parsed.success) {
      throw new ApplianceError(
        'APPLIANCE_LAYOUT_INVALID',
        `The manifest of ${releaseDir} is invalid: ${parsed.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`,
      );
    }
    return parsed.data;
  }

  async readModules(): Promise<InstalledModule[]> {
    let raw: string;
    try {
      raw = await fsp.readFile(this.moduleStateFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const parsed = moduleStateSchema.safeParse(parseJson(raw));
    if (!parsed.success) throw new ApplianceError('APPLIANCE_LAYOUT_INVALID', `${this.moduleStateFile} is invalid.`);
    return parsed.data.modules;
  }

  /**
   * The system range an installed module version declares in its manifest, or null when it declares
   * none or has no manifest; an unreadable or corrupt manifest is an error, not "unknown".
   */
  async moduleSupportedSystem(id: string, version: string): Promise<string | null> {
    const file = path.join(this.modulesDir, id, version, 'manifest.json');
    const raw = await fsp.readFile(file, 'utf8').catch(ifMissing(null));
    if (raw === null) return null;
    const manifest = parseJson(raw);
    if (typeof manifest !== 'object' || manifest === null) {
      throw new ApplianceError('APPLIANCE_LAYOUT_INVALID', `${file} is not a JSON object.`);
    }
    const supported = (manifest as { supportedSystem?: unknown }).supportedSystem;
    return typeof supported === 'string' ? supported : null;
  }

  async readInstalled(): Promise<InstalledProduct> {
    const manifest = await this.readManifest(await this.currentReleaseDir());
    return { productId: manifest.product, version: manifest.version, modules: await this.readModules() };
  }

  async writeModuleState(modules: InstalledModule[]): Promise<void> {
    await fsp.mkdir(this.modulesDir, { recursive: true });
    await writeFileAtomic(this.moduleStateFile, JSON.stringify({ modules }, null, 2) + '\n');
  }

  /**
   * Points `current` at `releases/<version>` atomically: a new link under a temporary name is
   * renamed over the old one (rename is atomic), then the directory is fsynced so that the switch
   * survives a power cut.
   */
  async switchCurrent(version: string): Promise<void> {
    const target = path.join('releases', version);
    await fsp.access(path.join(this.root, target, 'manifest.json'));
    const tmp = path.join(this.root, `.current-${process.pid}-${Date.now()}`);
    await fsp.symlink(target, tmp);
    await fsp.rename(tmp, this.currentLink);
    await fsyncDir(this.root);
  }

  /** Versions with a release directory (those with a manifest), in no particular order. */
  async listReleases(): Promise<string[]> {
    const entries = await fsp.readdir(this.releasesDir, { withFileTypes: true }).catch(ifMissing([]));
    return entries.filter((e) => e.isDirectory() && fs.existsSync(path.join(this.releasesDir, e.name, 'manifest.json'))).map((e) => e.name);
  }

  /** The version `current` points at, or null when the link is missing. */
  async currentVersion(): Promise<string | null> {
    try {
      return path.basename(await this.currentReleaseDir());
    } catch (err) {
      if (err instanceof ApplianceError && err.code === 'APPLIANCE_NOT_INSTALLED') return null;
      throw err;
    }
  }

  /**
   * Moves an unpacked release into `releases/<version>` (a rename: the bytes are not copied again),
   * replacing what an interrupted earlier attempt left there. Never touches the current release.
   */
  async applyRelease(stagedDir: string, version: string): Promise<void> {
    await this.moveInto(stagedDir, this.releaseDir(version), version);
    await fsyncDir(this.releasesDir);
  }

  async removeRelease(version: string): Promise<void> {
    if ((await this.currentVersion()) === version) throw new Error(`release ${version} is the current one`);
    await fsp.rm(this.releaseDir(version), { recursive: true, force: true });
  }

  /** Moves an unpacked module into `modules/<id>/<version>`. */
  async applyModule(stagedDir: string, id: string, version: string): Promise<void> {
    const dest = path.join(this.modulesDir, id, version);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await this.moveInto(stagedDir, dest, null);
    await fsyncDir(path.dirname(dest));
  }

  /** Whether a module version is in place (its manifest is there). */
  async hasModule(id: string, version: string): Promise<boolean> {
    return fsp.access(path.join(this.modulesDir, id, version, 'manifest.json')).then(
      () => true,
      () => false,
    );
  }

  async removeModuleVersion(id: string, version: string): Promise<void> {
    await fsp.rm(path.join(this.modulesDir, id, version), { recursive: true, force: true });
  }

  /** Removes what a killed switch or move left: temporary links and directories. */
  async cleanupTemporary(): Promise<string[]> {
    const removed: string[] = [];
    for (const dir of [this.root, this.releasesDir]) {
      for (const name of await fsp.readdir(dir).catch(ifMissing([] as string[]))) {
        if (name.startsWith('.current-') || name.startsWith('.moving-')) {
          await fsp.rm(path.join(dir, name), { recursive: true, force: true });
          removed.push(path.join(dir, name));
        }
      }
    }
    return removed;
  }

  private async moveInto(from: string, dest: string, protectVersion: string | null): Promise<void> {
    if (protectVersion !== null && (await this.currentVersion()) === protectVersion) {
      throw new Error(`release ${protectVersion} is the current one and cannot be replaced`);
    }
    await fsp.rm(dest, { recursive: true, force: true });
    try {
      await fsp.rename(from, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // Another file system: copy under a temporary name, then rename (never a half-copied release).
      const tmp = path.join(path.dirname(dest), `.moving-${path.basename(dest)}-${process.pid}`);
      await fsp.rm(tmp, { recursive: true, force: true });
      await fsp.cp(from, tmp, { recursive: true });
      await fsp.rename(tmp, dest);
      await fsp.rm(from, { recursive: true, force: true });
    }
  }
}
