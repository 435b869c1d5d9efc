/**
 * One backup-store operation for `install.bench.ts`, in its own process so that its time and peak
 * memory are its own. Prints one JSON line: { ms, copyMs?, verifyMs?, id?, maxRssMiB, maxAnonMiB }.
 * maxRssMiB counts file pages mapped by SQLite's mmap too; maxAnonMiB (sampled every 20 ms from
 * /proc/self/status) is the memory the process allocated.
 *
 *   install-worker.ts offline|online <backupsDir> <dataDir> <moduleStateFile>
 *   install-worker.ts restore <backupsDir> <id> <dataDir> <moduleStateFile>
 */
import fs from 'node:fs';
import { BackupStore, type BackupManifest } from '../../server/adapters/backup/backup-store.js';

const [op, dir, ...rest] = process.argv.slice(2);
const sut = new BackupStore({ dir: dir! });
const meta = { reason: 'benchmark', jobId: null, applianceVersion: '0.0.0', dataSchemaVersion: null };
let maxAnonKiB = 0;
const sampler = setInterval(() => {
  const anon = /RssAnon:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  maxAnonKiB = Math.max(maxAnonKiB, Number(anon?.[1] ?? 0));
}, 20);
const started = performance.now();
let manifest: BackupManifest | null = null;
if (op === 'offline' || op === 'online') {
  const source = { dataDir: rest[0]!, moduleStateFile: rest[1]! };
  manifest = op === 'offline' ? await sut.createOffline(source, meta) : await sut.createOnline(source, meta);
} else if (op === 'restore') {
  await sut.restore(rest[0]!, { dataDir: rest[1]!, moduleStateFile: rest[2]! });
} else {
  throw new Error(`unknown operation ${op}`);
}
const ms = performance.now() - started;
clearInterval(sampler);
process.stdout.write(
  JSON.stringify({
    ms,
    copyMs: manifest?.copyMs,
    verifyMs: manifest?.verifyMs,
    id: manifest?.id,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    maxAnonMiB: maxAnonKiB / 1024,
  }) + '\n',
);
