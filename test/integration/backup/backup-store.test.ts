/**
 * The backup store on real files and real SQLite databases: an appliance's data directory killed in
 * the middle of writing, a database written to during an online backup, damaged backups, full disks
 * (injected and, as root, a real tmpfs), and restores killed at every step of their swap.
 */
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BackupStore,
  type BackupManifest,
  type BackupMeta,
  type BackupSource,
  type TransferProgress,
} from '../../../server/adapters/backup/backup-store.js';
import { type BackupWorker, newBackupWorkerThread } from '../../../server/adapters/backup/backup-worker.js';
import { tmpDir } from '../../helpers/feed-fixtures.js';
import { mountTmpfs, unmount } from '../../helpers/tmpfs.js';
import { BackupError, DiskFullError } from '../../../server/domain/errors/index.js';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');
const meta: BackupMeta = { reason: 'before installing 8.2.0', jobId: 'job-1', applianceVersion: '8.1.3', dataSchemaVersion: 7 };

/** SHA-256 of every file under `dir`, by posix path relative to it. */
function treeHashes(dir: string, options: { withoutShm?: boolean } = {}): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (!(options.withoutShm && r.endsWith('-shm'))) out[r] = sha256(fs.readFileSync(path.join(d, e.name)));
    }
  };
  walk(dir, '');
  return out;
}

function sha256(data: Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * A database left by an appliance killed in the middle of its work: rows committed to the WAL and
 * never checkpointed, the -wal and -shm still there.
 */
function killedWriter(file: string, rows: number): void {
  const script = `
    const Database = require(${JSON.stringify(BETTER_SQLITE3)});
    const db = new Database(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('create table if not exists calls (id integer primary key, caller text, recording blob)');
    const insert = db.prepare('insert into calls (caller, recording) values (?, randomblob(3000))');
    for (let i = 0; i < ${rows}; i++) db.transaction(() => insert.run('+4930' + i))();
    process.kill(process.pid, 'SIGKILL');`;
  try {
    execFileSync(process.execPath, ['-e', script], { stdio: 'ignore' });
  } catch (err) {
    // Killed, as intended; anything else (the script failing) is the test's failure.
    if ((err as { signal?: string }).signal !== 'SIGKILL') throw err;
    return;
  }
  throw new Error('the writer was not killed');
}

function rowCount(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('select count(*) as n from calls').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** An appliance's data: two databases (one told only by its header), config files, an empty spool directory, module state. */
function makeAppliance(root: string): BackupSource {
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(path.join(dataDir, 'config', 'trunks'), { recursive: true });
  fs.mkdirSync(path.join(dataDir, 'cdr'), { recursive: true });
  fs.mkdirSync(path.join(dataDir, 'spool'), { recursive: true });
  fs.mkdirSync(path.join(root, 'modules'), { recursive: true });
  killedWriter(path.join(dataDir, 'calls.db'), 300);
  const cdr = new Database(path.join(dataDir, 'cdr', 'records'));
  cdr.exec('create table cdr (id integer primary key, at text)');
  cdr.prepare('insert into cdr (at) values (?)').run('2026-11-25T12:00:00Z');
  cdr.close();
  fs.writeFileSync(path.join(dataDir, 'config', 'pbx.json'), JSON.stringify({ name: 'office', extensions: 42 }));
  fs.writeFileSync(path.join(dataDir, 'config', 'trunks', 'sip.json'), JSON.stringify({ host: 'sip.example.net' }), { mode: 0o600 });
  fs.chmodSync(path.join(dataDir, 'config', 'trunks', 'sip.json'), 0o600);
  fs.writeFileSync(path.join(dataDir, 'schema-version'), '7\n');
  fs.writeFileSync(path.join(dataDir, 'not-a-database.db'), crypto.randomBytes(4096));
  fs.writeFileSync(
    path.join(root, 'modules', 'state.json'),
    JSON.stringify({ modules: [{ id: 'ivr', name: 'IVR', version: '2.0.0', enabled: true }] }),
  );
  return { dataDir, moduleStateFile: path.join(root, 'modules', 'state.json') };
}

function flipByte(file: string, at: number): void {
  const bytes = fs.readFileSync(file);
  bytes.writeUInt8(bytes.readUInt8(at) ^ 0x01, at);
  fs.writeFileSync(file, bytes);
}

/** The error `p` fails with, which must be a `type`. */
async function rejectionOf<E extends Error>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name}`);
}

const rejection = (p: Promise<unknown>) => rejectionOf(p, BackupError);
const diskFull = (p: Promise<unknown>) => rejectionOf(p, DiskFullError);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** io.copyFile that fills the disk once `limit` bytes have been written, over all files: that copy stops short with ENOSPC. */
function diskFullAfter(limit: number): { copyFile(src: string, dest: string): Promise<void> } {
  let written = 0;
  return {
    async copyFile(src, dest) {
      const content = await fsp.readFile(src);
      const room = limit - written;
      written = Math.min(limit, written + content.length);
      await fsp.writeFile(dest, content.subarray(0, Math.max(room, 0)));
      if (content.length > room) {
        throw Object.assign(new Error(`ENOSPC: no space left on device, copyfile '${src}' -> '${dest}'`), {
          code: 'ENOSPC',
          errno: -28,
          syscall: 'copyfile',
        });
      }
    },
  };
}

// The real full disk needs root to mount a small tmpfs; it is decided here because skipIf is read
// when the tests are collected.
const mountPoint = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'patchbay-backup-tmpfs-'));
const canMount = mountTmpfs(mountPoint, '8m');
afterAll(() => {
  if (canMount) unmount(mountPoint);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

describe('BackupStore', () => {
  let root: string;
  let source: BackupSource;
  let backups: string;
  let sut: BackupStore;

  beforeEach(() => {
    root = tmpDir('backup');
    source = makeAppliance(path.join(root, 'appliance'));
    backups = path.join(root, 'backups');
    sut = new BackupStore({ dir: backups });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('createOffline', () => {
    it('copies the data and module state with their sizes and hashes, each WAL with its database, no -shm', async () => {
      expect(fs.statSync(`${source.dataDir}/calls.db-wal`).size).toBeGreaterThan(0);
      expect(fs.existsSync(`${source.dataDir}/calls.db-shm`)).toBe(true);
      const before = treeHashes(path.dirname(source.dataDir));

      const manifest = await sut.createOffline(source, meta);

      const expected = treeHashes(source.dataDir, { withoutShm: true });
      expect(Object.fromEntries(manifest.files.map((f) => [f.path, f.sha256]))).toEqual({
        ...Object.fromEntries(Object.entries(expected).map(([p, h]) => [`data/${p}`, h])),
        'modules/state.json': sha256(fs.readFileSync(source.moduleStateFile)),
      });
      for (const f of manifest.files) {
        const original = f.path === 'modules/state.json' ? source.moduleStateFile : path.join(source.dataDir, f.path.slice('data/'.length));
        expect(f.size, f.path).toBe(fs.statSync(original).size);
      }
      const byPath = Object.fromEntries(manifest.files.map((f) => [f.path, [f.kind, f.group]]));
      expect(byPath).toMatchObject({
        'data/calls.db': ['sqlite', 'calls.db'],
        'data/calls.db-wal': ['sqlite-wal', 'calls.db'],
        'data/cdr/records': ['sqlite', 'cdr/records'],
        'data/not-a-database.db': ['file', 'files'],
        'data/config/pbx.json': ['file', 'files'],
        'modules/state.json': ['file', 'modules'],
      });
      expect(manifest.groups.map((g) => g.name)).toEqual(['calls.db', 'cdr/records', 'files', 'modules']);
      expect(manifest.totalBytes).toBe(manifest.files.reduce((s, f) => s + f.size, 0));
      expect(manifest).toMatchObject({ formatVersion: 1, method: 'OFFLINE', ...meta });
      expect(Date.parse(manifest.verifiedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.createdAt));

      const dir = path.join(backups, manifest.id);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
      expect(fs.readdirSync(backups)).toEqual([manifest.id]);
      expect(fs.existsSync(path.join(dir, 'data', 'spool'))).toBe(true);
      expect(treeHashes(path.dirname(source.dataDir))).toEqual(before);
    });

    it('reports progress per group, bytes only growing, each group ending with groupDone', async () => {
      const events: TransferProgress[] = [];
      const manifest = await sut.createOffline(source, meta, (p) => events.push(p));

      for (const phase of ['COPY', 'VERIFY'] as const) {
        const ofPhase = events.filter((e) => e.phase === phase);
        expect(ofPhase.map((e) => e.bytesDone)).toEqual([...ofPhase.map((e) => e.bytesDone)].sort((a, b) => a - b));
        expect(ofPhase.at(-1)?.bytesDone).toBe(manifest.totalBytes);
        for (const group of manifest.groups) {
          const ofGroup = ofPhase.filter((e) => e.group === group.name);
          const done = ofGroup.map((e) => e.groupBytesDone);
          expect(done).toEqual([...done].sort((a, b) => a - b));
          expect(ofGroup.filter((e) => e.groupDone)).toHaveLength(1);
          expect(ofGroup.at(-1)).toMatchObject({ groupDone: true, groupBytesDone: group.bytes, groupBytesTotal: group.bytes });
        }
      }
    });

    it('fails with DISK_FULL when the disk fills up, leaving nothing behind and the source unchanged', async () => {
      const before = treeHashes(path.dirname(source.dataDir));
      sut = new BackupStore({ dir: backups, io: diskFullAfter(500_000) });

      const err = await diskFull(sut.createOffline(source, meta));

      expect(err.code).toBe('DISK_FULL');
      expect(err.errno).toBe('ENOSPC');
      // The injected copy names no file: the backup being made is what was written.
      expect(err.path).toMatch(new RegExp(`^${escapeRegExp(path.join(backups, '.tmp-'))}`));
      expect(err.message).toBe(`The disk is full (writing ${err.path}).`);
      expect(fs.readdirSync(backups)).toEqual([]);
      expect(treeHashes(path.dirname(source.dataDir))).toEqual(before);
    });

    it.skipIf(!canMount)('fails with DISK_FULL on a real full disk, a tmpfs of 8 MB (needs root to mount it)', async () => {
      const big = path.join(source.dataDir, 'recordings');
      fs.mkdirSync(big);
      for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(big, `r${i}.wav`), crypto.randomBytes(4 * 1024 * 1024));
      const before = treeHashes(source.dataDir);
      sut = new BackupStore({ dir: mountPoint });

      const err = await diskFull(sut.createOffline(source, meta));

      expect(err.code).toBe('DISK_FULL');
      expect(err.errno).toBe('ENOSPC');
      // The copy that hit the end of the disk: a file of the backup being made.
      expect(err.path).toMatch(new RegExp(`^${escapeRegExp(path.join(mountPoint, '.tmp-'))}[^/]+/data/recordings/r\\d\\.wav$`));
      expect(fs.readdirSync(mountPoint)).toEqual([]);
      expect(treeHashes(source.dataDir)).toEqual(before);
    });

    it('fails with BACKUP_NOT_VERIFIED, keeping nothing, when a database does not pass integrity_check', async () => {
      const db = path.join(source.dataDir, 'cdr', 'records');
      const fd = fs.openSync(db, 'r+');
      // Page 2, the root of its table, becomes garbage: the header still reads fine.
      fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
      fs.closeSync(fd);

      const err = await rejection(sut.createOffline(source, meta));

      expect(err.code).toBe('BACKUP_NOT_VERIFIED');
      expect(err.details).toMatchObject({ file: 'data/cdr/records', reason: expect.stringMatching(/integrity_check/) });
      expect(fs.readdirSync(backups)).toEqual([]);
    });

    it('fails with BACKUP_NOT_VERIFIED, keeping nothing, when a copy differs from its source by one byte', async () => {
      const before = treeHashes(path.dirname(source.dataDir));
      // The disk hands back one wrong byte of the configuration file: the copy no longer hashes as the source did.
      sut = new BackupStore({
        dir: backups,
        io: {
          async copyFile(src, dest) {
            await fsp.copyFile(src, dest);
            if (!dest.endsWith(path.join('config', 'pbx.json'))) return;
            const copy = await fsp.readFile(dest);
            copy[3] = copy[3]! ^ 0x01;
            await fsp.writeFile(dest, copy);
          },
        },
      });

      const err = await rejection(sut.createOffline(source, meta));

      expect(err.code).toBe('BACKUP_NOT_VERIFIED');
      expect(err.details).toMatchObject({ file: 'data/config/pbx.json', reason: expect.stringMatching(/^its SHA-256 is [0-9a-f]{64}/) });
      expect(fs.readdirSync(backups)).toEqual([]);
      expect(treeHashes(path.dirname(source.dataDir))).toEqual(before);
    });
  });

  describe('createOnline', () => {
    it('backs up a database that another process keeps writing to, consistent and in between', async () => {
      const db = path.join(source.dataDir, 'calls.db');
      const before = rowCount(db);
      const writer = spawn(
        process.execPath,
        [
          '-e',
          `const db = new (require(${JSON.stringify(BETTER_SQLITE3)}))(${JSON.stringify(db)});
           db.pragma('busy_timeout = 5000');
           const insert = db.prepare("insert into calls (caller, recording) values ('+4989', randomblob(3000))");
           let n = 0;
           const timer = setInterval(() => {
             insert.run();
             if (++n % 50 === 0) process.stdout.write('rows ' + n + '\\n');
             if (n >= 20000) process.stdin.destroy();
           }, 1);
           process.stdin.on('close', () => { clearInterval(timer); db.close(); });
           process.stdin.resume();`,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      const exited = new Promise((resolve) => writer.on('exit', resolve));
      await new Promise<void>((resolve) => writer.stdout!.on('data', (d: Buffer) => /rows 100\b/.test(String(d)) && resolve()));

      const manifest = await sut.createOnline(source, meta);
      writer.stdin!.end();
      await exited;
      const after = rowCount(db);

      expect(manifest.method).toBe('ONLINE');
      expect(manifest.files.map((f) => f.path)).not.toContain('data/calls.db-wal');
      const copy = path.join(root, 'copy.db');
      fs.copyFileSync(path.join(backups, manifest.id, 'data', 'calls.db'), copy);
      const check = new Database(copy);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
      const inBackup = rowCount(copy);
      expect(inBackup).toBeGreaterThanOrEqual(before + 100);
      expect(inBackup).toBeLessThanOrEqual(after);
      expect(fs.readdirSync(path.join(backups, manifest.id, 'data')).filter((n) => /-(wal|shm|journal)$/.test(n))).toEqual([]);
    });
  });

  describe('verify', () => {
    let manifest: BackupManifest;
    let dir: string;
    beforeEach(async () => {
      manifest = await sut.createOffline(source, meta);
      dir = path.join(backups, manifest.id);
    });

    it('passes on an intact backup without changing a byte of it', async () => {
      const before = treeHashes(dir);
      await sut.verify(manifest.id);
      expect(treeHashes(dir)).toEqual(before);
    });

    it.each([
      [
        'a flipped byte',
        'data/calls.db-wal',
        (file: string) => {
          flipByte(file, fs.statSync(file).size >> 1);
        },
        /SHA-256/,
      ],
      ['a truncated file', 'data/config/pbx.json', (file: string) => fs.truncateSync(file, 5), /has 5 bytes/],
      ['a missing file', 'data/schema-version', (file: string) => fs.rmSync(file), /missing/],
      [
        'an extra database the manifest does not list',
        'data/extra.db',
        (file: string) => fs.copyFileSync(path.join(dir, 'data', 'cdr', 'records'), file),
        /not listed/,
      ],
    ])('names the file on %s', async (_case, file, damage, reason) => {
      damage(path.join(dir, ...file.split('/')));
      const err = await rejection(sut.verify(manifest.id));
      expect(err.code).toBe('BACKUP_NOT_VERIFIED');
      expect(err.details.file).toBe(file);
      expect(err.details.reason).toMatch(reason);
      expect(err.message).toContain(file);
    });

    it('fails with BACKUP_NOT_FOUND for an unknown id', async () => {
      expect((await rejection(sut.verify('20990101T000000Z-000000'))).code).toBe('BACKUP_NOT_FOUND');
      expect((await rejection(sut.verify('../etc'))).code).toBe('BACKUP_NOT_FOUND');
    });
  });

  describe('restore', () => {
    let manifest: BackupManifest;
    let expected: Record<string, string>;
    let target: BackupSource;
    beforeEach(async () => {
      manifest = await sut.createOffline(source, meta);
      expected = treeHashes(source.dataDir, { withoutShm: true });
      target = { dataDir: path.join(root, 'other', 'data'), moduleStateFile: path.join(root, 'other', 'modules', 'state.json') };
    });
    const leftovers = () => [
      ...fs.readdirSync(path.dirname(target.dataDir)).filter((n) => n !== 'data' && n !== 'modules'),
      ...(fs.existsSync(path.dirname(target.moduleStateFile)) ? fs.readdirSync(path.dirname(target.moduleStateFile)) : []).filter(
        (n) => n !== 'state.json',
      ),
    ];

    it('restores into another data directory byte for byte; the database opens with every row', async () => {
      const events: TransferProgress[] = [];
      await sut.restore(manifest.id, target, (p) => events.push(p));

      expect(treeHashes(target.dataDir)).toEqual(expected);
      expect(fs.readFileSync(target.moduleStateFile)).toEqual(fs.readFileSync(source.moduleStateFile));
      expect(fs.statSync(path.join(target.dataDir, 'config', 'trunks', 'sip.json')).mode & 0o777).toBe(0o600);
      expect(fs.existsSync(path.join(target.dataDir, 'spool'))).toBe(true);
      expect(rowCount(path.join(target.dataDir, 'calls.db'))).toBe(300);
      expect(leftovers()).toEqual([]);
      expect(
        events
          .filter((e) => e.phase === 'RESTORE' && e.groupDone)
          .map((e) => e.group)
          .sort(),
      ).toEqual(manifest.groups.map((g) => g.name).sort());
    });

    it('replaces the current data: files that are not in the backup are gone, -shm with them', async () => {
      killedWriter(path.join(source.dataDir, 'calls.db'), 20);
      fs.writeFileSync(path.join(source.dataDir, 'config', 'new.json'), '{}');
      fs.writeFileSync(source.moduleStateFile, '{"modules":[]}');

      await sut.restore(manifest.id, source);

      expect(treeHashes(source.dataDir)).toEqual(expected);
      expect(JSON.parse(fs.readFileSync(source.moduleStateFile, 'utf8')).modules).toHaveLength(1);
      expect(rowCount(path.join(source.dataDir, 'calls.db'))).toBe(300);
    });

    it("leaves the target's module state alone when the backup has none", async () => {
      fs.rmSync(source.moduleStateFile);
      const withoutModules = await sut.createOffline(source, meta);
      fs.mkdirSync(path.dirname(target.moduleStateFile), { recursive: true });
      fs.writeFileSync(target.moduleStateFile, 'theirs');

      await sut.restore(withoutModules.id, target);

      expect(fs.readFileSync(target.moduleStateFile, 'utf8')).toBe('theirs');
      expect(treeHashes(target.dataDir)).toEqual(expected);
    });

    it('fails with RESTORE_FAILED on a corrupted backup file, leaving the current data untouched', async () => {
      const current = treeHashes(path.dirname(source.dataDir));
      const file = path.join(backups, manifest.id, 'data', 'calls.db');
      flipByte(file, fs.statSync(file).size - 100);

      const err = await rejection(sut.restore(manifest.id, source));

      expect(err.code).toBe('RESTORE_FAILED');
      expect(err.details.file).toBe('data/calls.db');
      expect(treeHashes(path.dirname(source.dataDir))).toEqual(current);
      expect(fs.readdirSync(path.dirname(source.dataDir)).sort()).toEqual(['data', 'modules']);
    });

    it('marks a backup that does not match its manifest VERIFICATION_FAILED, durably, beside its manifest', async () => {
      const file = path.join(backups, manifest.id, 'data', 'config', 'pbx.json');
      flipByte(file, 2);
      sut = new BackupStore({ dir: backups, now: () => new Date('2026-11-26T08:00:00Z') });

      const err = await rejection(sut.restore(manifest.id, target));

      expect(err.details).toMatchObject({ file: 'data/config/pbx.json', marked: true });
      const marker = JSON.parse(fs.readFileSync(path.join(backups, manifest.id, 'verification-failed.json'), 'utf8'));
      expect(marker).toEqual({ at: '2026-11-26T08:00:00.000Z', file: 'data/config/pbx.json', reason: err.details.reason });
      // Another store, as after a restart of Patchbay, reads the same.
      const entry = await new BackupStore({ dir: backups }).find(manifest.id);
      expect(entry).toEqual({
        id: manifest.id,
        status: 'VERIFICATION_FAILED',
        manifest,
        problem: {
          code: 'FILE_MISMATCH',
          message: `A restore on 2026-11-26T08:00:00.000Z found that data/config/pbx.json does not match the manifest (${String(err.details.reason)}).`,
        },
      });
      expect((await sut.list()).map((e) => [e.id, e.status])).toEqual([[manifest.id, 'VERIFICATION_FAILED']]);
      expect(await sut.get(manifest.id)).toEqual(manifest);
    });

    it('marks a backup with a file missing VERIFICATION_FAILED too', async () => {
      fs.rmSync(path.join(backups, manifest.id, 'data', 'schema-version'));

      const err = await rejection(sut.restore(manifest.id, target));

      expect(err.details).toMatchObject({ file: 'data/schema-version', reason: 'it is missing from the backup', marked: true });
      expect((await sut.find(manifest.id))?.status).toBe('VERIFICATION_FAILED');
    });

    it('does not mark the backup when the restore fails for another reason (reading a copy back fails)', async () => {
      const failingReads = (): BackupWorker => {
        const worker = newBackupWorkerThread();
        return {
          hash: () => Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })),
          integrityCheck: (file) => worker.integrityCheck(file),
          backup: (...args) => worker.backup(...args),
          close: () => worker.close(),
        };
      };
      sut = new BackupStore({ dir: backups, newWorker: failingReads });

      const err = await rejection(sut.restore(manifest.id, target));

      expect(err.code).toBe('RESTORE_FAILED');
      expect(err.details.cause).toBe('EIO');
      expect(leftovers()).toEqual([]);
      expect((await sut.find(manifest.id))?.status).toBe('VERIFIED');
      expect(fs.existsSync(path.join(backups, manifest.id, 'verification-failed.json'))).toBe(false);
    });

    it('fails with BACKUP_UNREADABLE, touching nothing, for a backup whose manifest cannot be read', async () => {
      fs.writeFileSync(path.join(backups, manifest.id, 'manifest.json'), '{"formatVersion":');
      const current = treeHashes(path.dirname(source.dataDir));

      const err = await rejection(sut.restore(manifest.id, source));

      expect(err.code).toBe('BACKUP_UNREADABLE');
      expect(treeHashes(path.dirname(source.dataDir))).toEqual(current);
    });

    describe('after a kill', () => {
      const old = () => {
        fs.mkdirSync(path.join(target.dataDir, 'config'), { recursive: true });
        fs.writeFileSync(path.join(target.dataDir, 'config', 'pbx.json'), 'old');
        fs.writeFileSync(path.join(target.dataDir, 'only-old'), 'old');
        fs.mkdirSync(path.dirname(target.moduleStateFile), { recursive: true });
        fs.writeFileSync(target.moduleStateFile, 'old');
      };
      const halfStaged = (dir: string) => {
        fs.mkdirSync(path.join(dir, 'config'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'calls.db'), fs.readFileSync(path.join(source.dataDir, 'calls.db')).subarray(0, 10_000));
        fs.writeFileSync(`${target.moduleStateFile}.restore-${manifest.id}`, '{"mod');
      };
      const scenarios: [string, () => void][] = [
        [
          'while staging the copy',
          () => {
            old();
            halfStaged(`${target.dataDir}.restore-${manifest.id}`);
          },
        ],
        [
          'after renaming the data aside, before moving the copy in',
          () => {
            old();
            halfStaged(`${target.dataDir}.restore-${manifest.id}`);
            fs.renameSync(target.dataDir, `${target.dataDir}.replaced-${manifest.id}`);
          },
        ],
        [
          'after moving the copy in, before removing the old data',
          () => {
            old();
            fs.renameSync(target.dataDir, `${target.dataDir}.replaced-${manifest.id}`);
            fs.cpSync(source.dataDir, target.dataDir, { recursive: true });
            fs.rmSync(path.join(target.dataDir, 'calls.db-shm'));
            fs.copyFileSync(source.moduleStateFile, `${target.moduleStateFile}.restore-${manifest.id}`);
          },
        ],
        [
          'after putting the module state in place, with the old data only half removed',
          () => {
            old();
            fs.mkdirSync(`${target.dataDir}.replaced-${manifest.id}`, { recursive: true });
            fs.writeFileSync(`${target.dataDir}.replaced-${manifest.id}/only-old`, 'old');
            fs.rmSync(target.dataDir, { recursive: true });
            fs.cpSync(source.dataDir, target.dataDir, { recursive: true });
            fs.rmSync(path.join(target.dataDir, 'calls.db-shm'));
            fs.copyFileSync(source.moduleStateFile, target.moduleStateFile);
          },
        ],
      ];

      it.each(scenarios)('%s, a new restore ends with exactly the backup and no leftovers', async (_when, leave) => {
        leave();
        await sut.restore(manifest.id, target);
        expect(treeHashes(target.dataDir)).toEqual(expected);
        expect(fs.readFileSync(target.moduleStateFile)).toEqual(fs.readFileSync(source.moduleStateFile));
        expect(leftovers()).toEqual([]);
      });

      it('cleanupTemporary puts the old data back when the kill came within the swap', async () => {
        scenarios[1]![1]();
        const gone = await sut.cleanupTemporary(target);
        expect(gone).toContain(`${target.dataDir}.replaced-${manifest.id}`);
        expect(fs.readFileSync(path.join(target.dataDir, 'only-old'), 'utf8')).toBe('old');
        expect(fs.readFileSync(target.moduleStateFile, 'utf8')).toBe('old');
        expect(leftovers()).toEqual([]);
      });

      it('cleanupTemporary finishes the restore when the kill came after the swap', async () => {
        scenarios[2]![1]();
        await sut.cleanupTemporary(target);
        expect(treeHashes(target.dataDir)).toEqual(expected);
        expect(fs.readFileSync(target.moduleStateFile)).toEqual(fs.readFileSync(source.moduleStateFile));
        expect(leftovers()).toEqual([]);
      });
    });
  });

  describe('cleanupTemporary', () => {
    it('removes the temporary directories of backups being made or removed when the process was killed', async () => {
      const kept = await sut.createOffline(source, meta);
      fs.mkdirSync(path.join(backups, '.tmp-20261125T120501Z-aaaaaa', 'data'), { recursive: true });
      fs.mkdirSync(path.join(backups, '.removing-20261124T120501Z-bbbbbb', 'data'), { recursive: true });

      const gone = await sut.cleanupTemporary();

      expect(gone.sort()).toEqual([
        path.join(backups, '.removing-20261124T120501Z-bbbbbb'),
        path.join(backups, '.tmp-20261125T120501Z-aaaaaa'),
      ]);
      expect(fs.readdirSync(backups)).toEqual([kept.id]);
    });
  });

  describe('list', () => {
    it('lists backups newest first, ignoring temporary directories, and directories without a valid manifest as UNREADABLE', async () => {
      let t = Date.parse('2026-11-25T12:00:00Z');
      let n = 0;
      sut = new BackupStore({ dir: backups, now: () => new Date((t += 60_000)), newId: () => `b${++n}` });
      const made = [await sut.createOffline(source, meta), await sut.createOnline(source, meta), await sut.createOffline(source, meta)];
      fs.mkdirSync(path.join(backups, '.tmp-b9', 'data'), { recursive: true });
      fs.writeFileSync(path.join(backups, '.tmp-b9', 'manifest.json'), JSON.stringify(made[0]));
      fs.mkdirSync(path.join(backups, 'no-manifest'));
      fs.mkdirSync(path.join(backups, 'bad-manifest'));
      fs.writeFileSync(path.join(backups, 'bad-manifest', 'manifest.json'), '{"formatVersion":1');
      // A file is no backup directory at all.
      fs.writeFileSync(path.join(backups, 'notes'), 'not a backup');

      const sutList = await sut.list();

      expect(sutList.map((e) => [e.id, e.status, e.problem?.code ?? null])).toEqual([
        ['b3', 'VERIFIED', null],
        ['b2', 'VERIFIED', null],
        ['b1', 'VERIFIED', null],
        ['no-manifest', 'UNREADABLE', 'MANIFEST_MISSING'],
        ['bad-manifest', 'UNREADABLE', 'MANIFEST_INVALID'],
      ]);
      expect(sutList.slice(0, 3).map((e) => e.manifest)).toEqual([made[2], made[1], made[0]]);
      expect(sutList.slice(3).map((e) => e.manifest)).toEqual([null, null]);
      expect(sutList[4]!.problem!.message).toMatch(/^The manifest of backup bad-manifest is not JSON: /);
      expect(await sut.get('b2')).toEqual(made[1]);
      expect(await sut.get('b9')).toBeNull();
      const err = await rejection(sut.get('no-manifest'));
      expect(err.code).toBe('BACKUP_UNREADABLE');
    });

    it('lists a backup whose manifest cannot be read (EISDIR) or names another backup as UNREADABLE, with the reason', async () => {
      sut = new BackupStore({ dir: backups, newId: () => 'b1' });
      const made = await sut.createOffline(source, meta);
      fs.mkdirSync(path.join(backups, 'b2', 'manifest.json'), { recursive: true });
      fs.mkdirSync(path.join(backups, 'b3'));
      fs.writeFileSync(path.join(backups, 'b3', 'manifest.json'), JSON.stringify(made));

      const sutList = await sut.list();

      expect(sutList.map((e) => [e.id, e.status, e.problem?.code ?? null])).toEqual([
        ['b1', 'VERIFIED', null],
        ['b3', 'UNREADABLE', 'MANIFEST_INVALID'],
        ['b2', 'UNREADABLE', 'MANIFEST_UNREADABLE'],
      ]);
      expect(sutList[1]!.problem!.message).toBe('The manifest in directory b3 is the manifest of backup b1.');
      expect(sutList[2]!.problem!.message).toMatch(/^The manifest of backup b2 cannot be read: EISDIR/);
    });

    it.skipIf(process.getuid?.() === 0)('lists a backup whose manifest it may not read (EACCES) as UNREADABLE', async () => {
      sut = new BackupStore({ dir: backups, newId: () => 'b1' });
      await sut.createOffline(source, meta);
      fs.chmodSync(path.join(backups, 'b1', 'manifest.json'), 0o000);

      expect(await sut.list()).toMatchObject([
        { id: 'b1', status: 'UNREADABLE', manifest: null, problem: { code: 'MANIFEST_UNREADABLE' } },
      ]);
    });

    it('fails, instead of listing nothing, when the backup directory itself cannot be read', async () => {
      fs.writeFileSync(backups, 'a file where the directory should be');
      await expect(sut.list()).rejects.toMatchObject({ code: 'ENOTDIR' });
    });
  });

  describe('prune', () => {
    it('keeps the newest N and every protected backup, returning the ids it removed, and leaves unreadable ones alone', async () => {
      let t = Date.parse('2026-11-25T12:00:00Z');
      let n = 0;
      sut = new BackupStore({ dir: backups, now: () => new Date((t += 60_000)), newId: () => `b${++n}` });
      for (let i = 0; i < 5; i++) await sut.createOffline(source, meta);
      // What cannot be read is not counted, and not removed: it may be a backup the disk hides for now.
      fs.mkdirSync(path.join(backups, 'b0'));

      const removed = await sut.prune(2, ['b1']);

      expect(removed).toEqual(['b3', 'b2']);
      expect((await sut.list()).map((m) => [m.id, m.status])).toEqual([
        ['b5', 'VERIFIED'],
        ['b4', 'VERIFIED'],
        ['b1', 'VERIFIED'],
        ['b0', 'UNREADABLE'],
      ]);
      expect(fs.readdirSync(backups).sort()).toEqual(['b0', 'b1', 'b4', 'b5']);
    });
  });

  describe('remove', () => {
    it('fails with BACKUP_NOT_FOUND for an unknown id', async () => {
      expect((await rejection(sut.remove('nope'))).code).toBe('BACKUP_NOT_FOUND');
    });
  });

  describe('measure', () => {
    it('counts the bytes and files an offline backup copies', async () => {
      const manifest = await sut.createOffline(source, meta);
      expect(await sut.measure(source)).toEqual({ bytes: manifest.totalBytes, files: manifest.files.length });
    });
  });
});
