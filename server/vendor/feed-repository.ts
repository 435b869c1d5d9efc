/**
 * The vendor's publisher: a TUF repository (root, targets, snapshot, timestamp; ed25519 keys;
 * consistent snapshots) written with @tufjs/models, whose targets are `catalog.json` and bundles.
 *
 *   <dir>/keys/<role>.pem                 private keys (PKCS8, mode 0600): never served
 *   <dir>/repository/<n>.root.json        every root version (clients walk them on rotation)
 *   <dir>/repository/<n>.targets.json, <n>.snapshot.json, timestamp.json
 *   <dir>/repository/targets/…/<sha256>.<name>   target files, named by hash
 *
 * Serve `<dir>/repository` as static files (any web server or CDN), or copy it for offline use.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { canonicalize } from '@tufjs/canonical-json';
import { Key, Metadata, MetadataKind, MetaFile, Root, Signature, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import { type Catalog, parseCatalog } from '../domain/catalog.js';

export const ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
export type Role = (typeof ROLES)[number];
const SPEC_VERSION = '1.0.31';
const DAY = 86_400_000;

/** How long each role's metadata stays valid when signed. */
export const DEFAULT_EXPIRY_DAYS: Record<Role, number> = { root: 365, targets: 90, snapshot: 7, timestamp: 1 };

export interface PublishOptions {
  now?: Date;
  expiryDays?: Partial<Record<Role, number>>;
}

interface SigningKey {
  key: Key;
  privateKey: crypto.KeyObject;
}

function keyFromPrivate(privateKey: crypto.KeyObject): Key {
  const raw = privateKey.type === 'private' ? crypto.createPublicKey(privateKey) : privateKey;
  // The raw 32-byte ed25519 public key is the last 32 bytes of its SPKI DER form.
  const pub = raw.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const body = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: pub } };
  const keyID = crypto.createHash('sha256').update(canonicalize(body)).digest('hex');
  return new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: pub } });
}

function signer({ key, privateKey }: SigningKey) {
  return (data: Buffer) => new Signature({ keyID: key.keyID, sig: crypto.sign(null, data, privateKey).toString('hex') });
}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

const expires = (now: Date, days: number) => new Date(now.getTime() + days * DAY).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class FeedRepository {
  private constructor(
    readonly dir: string,
    private readonly keys: Record<Role, SigningKey>,
    private root: Metadata<Root>,
    private targets: Metadata<Targets>,
    private snapshot: Metadata<Snapshot>,
    private timestamp: Metadata<Timestamp>,
  ) {}

  get repositoryDir(): string {
    return path.join(this.dir, 'repository');
  }

  /** The current root, to hand to appliances as their initial trusted root. */
  rootJson(): string {
    return JSON.stringify(this.root.toJSON());
  }

  static async create(dir: string, options: PublishOptions = {}): Promise<FeedRepository> {
    const now = options.now ?? new Date();
    const days = { ...DEFAULT_EXPIRY_DAYS, ...options.expiryDays };
    await fsp.mkdir(path.join(dir, 'keys'), { recursive: true, mode: 0o700 });
    await fsp.mkdir(path.join(dir, 'repository', 'targets'), { recursive: true });
    if (fs.existsSync(path.join(dir, 'repository', '1.root.json'))) throw new Error(`${dir} already holds a repository`);
    const keys = {} as Record<Role, SigningKey>;
    for (const role of ROLES) {
      const { privateKey } = crypto.generateKeyPairSync('ed25519');
      await fsp.writeFile(path.join(dir, 'keys', `${role}.pem`), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      keys[role] = { key: keyFromPrivate(privateKey), privateKey };
    }
    const root = new Metadata(
      new Root({ version: 1, specVersion: SPEC_VERSION, expires: expires(now, days.root), consistentSnapshot: true }),
    );
    for (const role of ROLES) root.signed.addKey(keys[role].key, role);
    const targets = new Metadata(new Targets({ version: 1, specVersion: SPEC_VERSION, expires: expires(now, days.targets) }));
    const snapshot = new Metadata(
      new Snapshot({
        version: 1,
        specVersion: SPEC_VERSION,
        expires: expires(now, days.snapshot),
        meta: { 'targets.json': new MetaFile({ version: 1 }) },
      }),
    );
    const timestamp = new Metadata(
      new Timestamp({
        version: 1,
        specVersion: SPEC_VERSION,
        expires: expires(now, days.timestamp),
        snapshotMeta: new MetaFile({ version: 1 }),
      }),
    );
    const repo = new FeedRepository(dir, keys, root, targets, snapshot, timestamp);
    root.sign(signer(keys.root));
    await repo.write('1.root.json', root);
    await repo.publish(options);
    return repo;
  }

  static async open(dir: string): Promise<FeedRepository> {
    const repoDir = path.join(dir, 'repository');
    const keys = {} as Record<Role, SigningKey>;
    for (const role of ROLES) {
      const privateKey = crypto.createPrivateKey(await fsp.readFile(path.join(dir, 'keys', `${role}.pem`)));
      keys[role] = { key: keyFromPrivate(privateKey), privateKey };
    }
    const read = async (name: string) => JSON.parse(await fsp.readFile(path.join(repoDir, name), 'utf8'));
    const latest = async (suffix: string) => {
      const versions = (await fsp.readdir(repoDir))
        .map((f) => f.match(new RegExp(`^(\\d+)\\.${suffix}\\.json$`))?.[1])
        .filter(Boolean)
        .map(Number);
      if (!versions.length) throw new Error(`${repoDir} has no ${suffix} metadata: not a feed repository`);
      return read(`${Math.max(...versions)}.${suffix}.json`);
    };
    return new FeedRepository(
      dir,
      keys,
      Metadata.fromJSON(MetadataKind.Root, await latest('root')),
      Metadata.fromJSON(MetadataKind.Targets, await latest('targets')),
      Metadata.fromJSON(MetadataKind.Snapshot, await latest('snapshot')),
      Metadata.fromJSON(MetadataKind.Timestamp, await read('timestamp.json')),
    );
  }

  /** Adds (or replaces) a target file; visible to clients after `publish`. */
  async addTarget(name: string, file: string, custom?: Record<string, unknown>): Promise<TargetFile> {
    if (!/^[A-Za-z0-9._/-]+$/.test(name) || name.split('/').includes('..')) throw new Error(`invalid target name ${name}`);
    const sha256 = await sha256File(file);
    const length = (await fsp.stat(file)).size;
    const dest = path.join(this.repositoryDir, 'targets', path.dirname(name), `${sha256}.${path.basename(name)}`);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.copyFile(file, dest);
    const target = new TargetFile({
      path: name,
      length,
      hashes: { sha256 },
      unrecognizedFields: custom ? { custom: custom as never } : undefined,
    });
    this.targets.signed.targets[name] = target;
    this.targetsChanged = true;
    return target;
  }

  private targetsChanged = false;

  async setCatalog(catalog: Catalog): Promise<void> {
    const checked = parseCatalog(catalog);
    const tmp = path.join(this.dir, `.catalog-${process.pid}.json`);
    await fsp.writeFile(tmp, JSON.stringify(checked, null, 2) + '\n');
    try {
      await this.addTarget('catalog.json', tmp);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /** The catalog currently published (or staged), or null before the first one. */
  async getCatalog(): Promise<Catalog | null> {
    const target = this.targets.signed.targets['catalog.json'];
    if (!target) return null;
    return parseCatalog(JSON.parse(await fsp.readFile(this.targetPath(target), 'utf8')));
  }

  targetPath(target: TargetFile): string {
    return path.join(this.repositoryDir, 'targets', path.dirname(target.path), `${target.hashes.sha256}.${path.basename(target.path)}`);
  }

  /** Signs new targets (when changed), snapshot and timestamp versions. */
  async publish(options: PublishOptions = {}): Promise<void> {
    const now = options.now ?? new Date();
    const days = { ...DEFAULT_EXPIRY_DAYS, ...options.expiryDays };
    const firstTime = !fs.existsSync(path.join(this.repositoryDir, `${this.targets.signed.version}.targets.json`));
    if (this.targetsChanged || firstTime) {
      const t = this.targets.signed;
      const version = firstTime ? t.version : t.version + 1;
      this.targets = new Metadata(
        new Targets({ version, specVersion: SPEC_VERSION, expires: expires(now, days.targets), targets: t.targets }),
      );
      this.targets.sign(signer(this.keys.targets));
      await this.write(`${version}.targets.json`, this.targets);
      this.targetsChanged = false;
    }
    const targetsBytes = this.bytes(this.targets);
    const snapshotVersion = fs.existsSync(path.join(this.repositoryDir, `${this.snapshot.signed.version}.snapshot.json`))
      ? this.snapshot.signed.version + 1
      : this.snapshot.signed.version;
    this.snapshot = new Metadata(
      new Snapshot({
        version: snapshotVersion,
        specVersion: SPEC_VERSION,
        expires: expires(now, days.snapshot),
        meta: {
          'targets.json': new MetaFile({
            version: this.targets.signed.version,
            length: targetsBytes.length,
            hashes: { sha256: crypto.createHash('sha256').update(targetsBytes).digest('hex') },
          }),
        },
      }),
    );
    this.snapshot.sign(signer(this.keys.snapshot));
    await this.write(`${snapshotVersion}.snapshot.json`, this.snapshot);
    await this.writeTimestamp(now, days.timestamp);
  }

  /** A new timestamp with a later expiry, for a feed whose content has not changed. */
  async refreshTimestamp(options: PublishOptions = {}): Promise<void> {
    const now = options.now ?? new Date();
    await this.writeTimestamp(now, options.expiryDays?.timestamp ?? DEFAULT_EXPIRY_DAYS.timestamp);
  }

  /**
   * Replaces a role's key. The new root lists the new key and is signed by the old root key and,
   * for a root rotation, by the new one too: clients holding the old root can verify the chain.
   */
  async rotateKey(role: Role, options: PublishOptions = {}): Promise<void> {
    const now = options.now ?? new Date();
    const days = { ...DEFAULT_EXPIRY_DAYS, ...options.expiryDays };
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const next: SigningKey = { key: keyFromPrivate(privateKey), privateKey };
    const old = this.keys[role];
    const r = this.root.signed;
    const keys = { ...r.keys };
    const roles = { ...r.roles };
    const stillUsed = ROLES.some((other) => other !== role && roles[other]!.keyIDs.includes(old.key.keyID));
    if (!stillUsed) delete keys[old.key.keyID];
    keys[next.key.keyID] = next.key;
    roles[role] = new (Object.getPrototypeOf(roles[role]!).constructor)({
      keyIDs: [next.key.keyID],
      threshold: 1,
    }) as (typeof roles)[string];
    const version = r.version + 1;
    this.root = new Metadata(
      new Root({ version, specVersion: SPEC_VERSION, expires: expires(now, days.root), consistentSnapshot: true, keys, roles }),
    );
    this.root.sign(signer(role === 'root' ? old : this.keys.root));
    if (role === 'root') this.root.sign(signer(next), true);
    await this.write(`${version}.root.json`, this.root);
    await fsp.writeFile(path.join(this.dir, 'keys', `${role}.pem`), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    this.keys[role] = next;
    // Metadata signed by the replaced key must be signed again.
    if (role === 'targets') this.targetsChanged = true;
    await this.publish(options);
  }

  private async writeTimestamp(now: Date, days: number): Promise<void> {
    const snapshotBytes = this.bytes(this.snapshot);
    const version = fs.existsSync(path.join(this.repositoryDir, 'timestamp.json'))
      ? this.timestamp.signed.version + 1
      : this.timestamp.signed.version;
    this.timestamp = new Metadata(
      new Timestamp({
        version,
        specVersion: SPEC_VERSION,
        expires: expires(now, days),
        snapshotMeta: new MetaFile({
          version: this.snapshot.signed.version,
          length: snapshotBytes.length,
          hashes: { sha256: crypto.createHash('sha256').update(snapshotBytes).digest('hex') },
        }),
      }),
    );
    this.timestamp.sign(signer(this.keys.timestamp));
    await this.write('timestamp.json', this.timestamp);
  }

  private bytes(md: Metadata<Root | Targets | Snapshot | Timestamp>): Buffer {
    return Buffer.from(JSON.stringify(md.toJSON()));
  }

  /** Atomic write: a client never fetches half a file. */
  private async write(name: string, md: Metadata<Root | Targets | Snapshot | Timestamp>): Promise<void> {
    const file = path.join(this.repositoryDir, name);
    const tmp = `${file}.tmp-${process.pid}`;
    await fsp.writeFile(tmp, this.bytes(md));
    await fsp.rename(tmp, file);
  }
}
