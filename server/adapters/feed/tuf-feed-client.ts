/**
 * The appliance's side of the feed, on tuf-js: the trusted root lives in the state directory,
 * every refresh runs the TUF client workflow (root rotation, timestamp, snapshot, targets), and
 * the catalog is read only after TUF has verified its length and hash. Every failure becomes a
 * FeedError with a stable code; nothing unverified is returned.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Catalog, parseCatalog } from '../../domain/catalog.js';
import { hostAndPort } from '../../domain/connectivity.js';
import { describeNetworkError } from '../network/connectivity-probe.js';
import { CatalogInvalidError, FeedError } from '../../domain/errors/index.js';

export interface TargetInfo {
  name: string;
  length: number;
  sha256: string;
}

export interface VerifiedFeed {
  catalog: Catalog;
  targets: Record<string, TargetInfo>;
}

export interface TufFeedClientOptions {
  /** http(s) URL of the repository, or a local directory holding it. */
  feed: string;
  /** Holds root.json (trusted) and the verified metadata cache. */
  stateDir: string;
  timeoutMs?: number;
  maxMetadataBytes?: number;
  maxCatalogBytes?: number;
}

export class TufFeedClient {
  readonly baseUrl: string;
  readonly isLocal: boolean;
  private readonly metadataDir: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: TufFeedClientOptions) {
    this.isLocal = !/^https?:\/\//i.test(options.feed);
    const base = this.isLocal ? pathToFileURL(path.resolve(options.feed)).href : options.feed;
    this.baseUrl = base.endsWith('/') ? base : `${base}/`;
    this.metadataDir = path.join(options.stateDir, 'metadata');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The URL whose reachability matters for the connectivity check. */
  get timestampUrl(): string {
    return `${this.baseUrl}timestamp.json`;
  }

  /** Whether a root is trusted yet. A root that is there but cannot be read is an error, never "none": it would be replaced. */
  hasTrustedRoot(): boolean {
    try {
      fs.statSync(path.join(this.metadataDir, 'root.json'));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Installs the initial trusted root (shipped with the appliance); never replaces one already trusted. */
  async bootstrap(rootJson: string): Promise<void> {
    if (this.hasTrustedRoot()) return;
    JSON.parse(rootJson);
    await fsp.mkdir(this.metadataDir, { recursive: true, mode: 0o700 });
    await fsp.writeFile(path.join(this.metadataDir, 'root.json'), rootJson, { mode: 0o600 });
  }

  async refresh(): Promise<VerifiedFeed> {
    let trusted: boolean;
    try {
      trusted = this.hasTrustedRoot();
    } catch (err) {
      const cause = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new FeedError(
        'FEED_NOT_CONFIGURED',
        `The trusted root cannot be read (${cause}): the vendor’s keys are unknown until it can.`,
        {
          file: 'root.json',
          cause,
        },
      );
    }
    if (!trusted) throw new FeedError('FEED_NOT_CONFIGURED', 'No trusted root: this appliance does not know the vendor’s keys yet.');
    // tuf-js (~1 MiB of heap) on the first refresh: a restarted Patchbay may not check for hours.
    const [{ Updater }, { FeedFetcher }] = await Promise.all([import('tuf-js'), import('./feed-fetcher.js')]);
    const fetcher = new FeedFetcher(this.timeoutMs);
    const max = this.options.maxMetadataBytes ?? 1024 * 1024;
    try {
      const targetDir = path.join(this.options.stateDir, 'targets');
      await fsp.mkdir(targetDir, { recursive: true });
      const updater = new Updater({
        metadataDir: this.metadataDir,
        metadataBaseUrl: this.baseUrl,
        targetBaseUrl: `${this.baseUrl}targets/`,
        targetDir,
        fetcher,
        config: {
          rootMaxLength: max,
          timestampMaxLength: max,
          snapshotMaxLength: max,
          targetsMaxLength: max,
          fetchTimeout: this.timeoutMs,
        },
      });
      await updater.refresh();
      const info = await updater.getTargetInfo('catalog.json');
      if (!info) throw new FeedError('FEED_MALFORMED', 'The feed is signed correctly but lists no catalog.json.', { file: 'catalog.json' });
      if (info.length > (this.options.maxCatalogBytes ?? 16 * 1024 * 1024)) {
        throw new FeedError('FEED_TOO_LARGE', `The catalog is ${info.length} bytes, over the limit.`, { file: 'catalog.json' });
      }
      const file = await updater.downloadTarget(info, path.join(targetDir, 'catalog.json'));
      let catalog: Catalog;
      try {
        catalog = parseCatalog(JSON.parse(await fsp.readFile(file, 'utf8')));
      } catch (err) {
        const why = err instanceof CatalogInvalidError ? err.message : 'The catalog is not JSON.';
        throw new FeedError('FEED_MALFORMED', why, { file: 'catalog.json' });
      }
      const targets: Record<string, TargetInfo> = {};
      const names = [...catalog.channels.stable, ...catalog.channels.beta]
        .map((r) => r.bundle.target)
        .concat(catalog.modules.map((m) => m.bundle.target));
      for (const name of new Set(names)) {
        const t = await updater.getTargetInfo(name);
        if (!t?.hashes.sha256)
          throw new FeedError('FEED_MALFORMED', `The catalog names ${name}, which the signed targets do not list.`, { file: name });
        targets[name] = { name, length: t.length, sha256: t.hashes.sha256 };
      }
      return { catalog, targets };
    } catch (err) {
      throw this.toFeedError(err);
    } finally {
      await fetcher.close();
    }
  }

  /** The URL of a target file (named by hash, consistent snapshots). */
  targetUrl(target: TargetInfo): string {
    const dir = path.posix.dirname(target.name);
    return `${this.baseUrl}targets/${dir === '.' ? '' : `${dir}/`}${target.sha256}.${path.posix.basename(target.name)}`;
  }

  private toFeedError(err: unknown): FeedError {
    if (err instanceof FeedError) return err;
    const e = err as Error & { cause?: unknown; statusCode?: number };
    const kind = e?.constructor?.name ?? '';
    const text = `${kind}: ${e?.message ?? String(err)}`;
    const where: { host?: string; port?: number } = this.isLocal ? {} : (({ host, port }) => ({ host, port }))(hostAndPort(this.baseUrl));
    if (kind === 'DownloadHTTPError') {
      return e.statusCode === 404
        ? new FeedError('FEED_NOT_FOUND', `The feed lacks a file it should have: ${e.message}.`, { ...where, cause: e.message })
        : new FeedError('FEED_UNREACHABLE', `The feed server answered ${e.message}.`, { ...where, cause: `HTTP ${e.statusCode}` });
    }
    if (kind === 'ExpiredMetadataError' || /expired/i.test(text)) {
      const role = /\b(root|timestamp|snapshot|targets)\b/i.exec(e.message)?.[1]?.toLowerCase();
      return new FeedError(
        'FEED_EXPIRED',
        `The feed's ${role ?? ''} metadata has expired: the vendor must publish it again.`.replace("'s  ", "'s "),
        { role },
      );
    }
    if (kind === 'UnsignedMetadataError' || /signature|threshold|unsigned/i.test(text)) {
      return new FeedError('FEED_SIGNATURE_INVALID', `The feed's metadata is not signed by the trusted vendor keys (${e.message}).`, {
        cause: e.message,
      });
    }
    if (kind === 'BadVersionError' || (/version/i.test(e.message ?? '') && /(lower|older|<|expected)/i.test(e.message ?? ''))) {
      return new FeedError('FEED_ROLLBACK', `The feed offered metadata older than what this appliance already trusts (${e.message}).`, {
        cause: e.message,
      });
    }
    if (kind === 'DownloadLengthMismatchError' || /max length/i.test(text)) {
      return new FeedError('FEED_TOO_LARGE', `A feed file is larger than allowed (${e.message}).`, { cause: e.message });
    }
    if (kind === 'LengthOrHashMismatchError' || /hash|length/i.test(text)) {
      return new FeedError('FEED_MALFORMED', `A feed file does not match its signed hash or length: it was altered (${e.message}).`, {
        cause: e.message,
      });
    }
    const network = networkCause(e);
    if (network) {
      return new FeedError(
        'FEED_UNREACHABLE',
        this.isLocal
          ? `The feed directory cannot be read: ${network}.`
          : `The feed server ${where.host}:${where.port} cannot be reached: ${network}.`,
        { ...where, cause: network },
      );
    }
    if (kind === 'SyntaxError' || kind === 'ValueError' || kind === 'RepositoryError' || kind === 'TypeError' || kind === 'RuntimeError') {
      return new FeedError('FEED_MALFORMED', `The feed's metadata cannot be read (${e.message}).`, { cause: e.message });
    }
    return new FeedError('FEED_MALFORMED', `The feed could not be read (${text}).`, { cause: text });
  }
}

function networkCause(e: Error & { cause?: unknown }): string | null {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 5; depth++) {
    const c = cur as Error & { code?: string; name?: string; cause?: unknown };
    if (c.name === 'TimeoutError' || c.name === 'AbortError' || /TIMEOUT/.test(c.code ?? '')) return 'timed out';
    if (c.code && /^(E[A-Z]+|UND_ERR_SOCKET|EAI_AGAIN)$/.test(c.code)) return describeNetworkError(c);
    if (c.code?.startsWith('ERR_TLS') || c.code?.includes('CERT')) return describeNetworkError(c);
    cur = c.cause;
  }
  return null;
}

/** Streams a file through SHA-256 and compares it with signed target info. */
export async function verifyFile(file: string, target: TargetInfo): Promise<{ ok: boolean; length: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let length = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  const sha256 = hash.digest('hex');
  return { ok: length === target.length && sha256 === target.sha256, length, sha256 };
}
