/**
 * A Patchbay process for crash tests, run with tsx like `server/main.ts`, that can die at a chosen
 * point of an installation with SIGKILL: a power cut, with no chance to clean up. Without the
 * variables below it is a plain Patchbay.
 *
 *   PATCHBAY_TEST_KILL_AT=<step>              once that step is journaled, before it acts (a ROLLBACK_* step
 *                                             only while rolling back, any other step only going forward)
 *   PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES=<n> once the backup has written n bytes (in the middle of its copy)
 *   PATCHBAY_TEST_KILL_SCOPE=group|process    group (default): the whole process group, tsx, Patchbay and the
 *                                             appliance; process: Patchbay alone, the appliance runs on orphaned
 *   PATCHBAY_TEST_HEALTHCHECK_TIMEOUT_MS=<n>  how long a started release may take to be healthy
 */
import type { FileHandle } from 'node:fs/promises';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/adapters/logger.js';
import { openForWrite } from '../../server/adapters/backup/hashed-copy.js';
import type { InstallJournal } from '../../server/domain/install.js';
import { exitOnSignals, startPatchbay } from '../../server/main.js';

const env = process.env;
const killAt = env.PATCHBAY_TEST_KILL_AT || null;
const killAfterBytes = env.PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES ? Number(env.PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES) : null;
const killScope = env.PATCHBAY_TEST_KILL_SCOPE === 'process' ? 'process' : 'group';
const healthCheckTimeoutMs = env.PATCHBAY_TEST_HEALTHCHECK_TIMEOUT_MS ? Number(env.PATCHBAY_TEST_HEALTHCHECK_TIMEOUT_MS) : undefined;

function powerCut(): never {
  process.stdout.write(`crash-harness: SIGKILL (${killScope})\n`);
  // Pid 0 is this process's group: tsx, this process and every child (the appliance, a migration).
  process.kill(killScope === 'group' ? 0 : process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
}

function afterJournal(journal: InstallJournal): void {
  if (journal.step !== killAt) return;
  const phase = killAt.startsWith('ROLLBACK_') ? 'ROLLING_BACK' : 'FORWARD';
  if (journal.phase === phase) powerCut();
}

let backupBytes = 0;
let cutting = false;
const inFlight = new Set<Promise<unknown>>();
/**
 * Backup files opened for writing count the bytes written to them (the backup may write several
 * files at once: bytes are counted when a write is issued). The write that reaches the limit
 * writes only up to it; once the writes issued before it are done, the process dies: the backup
 * holds exactly that many bytes, the last file cut short.
 */
async function openWriteCounting(file: string): Promise<FileHandle> {
  const handle = await openForWrite(file);
  const write = handle.write.bind(handle) as (...args: unknown[]) => Promise<{ bytesWritten: number }>;
  Object.assign(handle, {
    async write(...args: unknown[]) {
      // Past the cut nothing more reaches the disk.
      if (cutting) return new Promise(() => {});
      const [buffer, offset, length, position] = args;
      const room = killAfterBytes! - backupBytes;
      if (Buffer.isBuffer(buffer) && typeof offset === 'number' && typeof length === 'number' && length >= room) {
        cutting = true;
        if (room > 0) await write(buffer, offset, room, position);
        await Promise.allSettled(inFlight);
        powerCut();
      }
      backupBytes += typeof length === 'number' ? length : 0;
      const writing = write(...args);
      inFlight.add(writing);
      try {
        const result = await writing;
        // A short write is followed by another one for the rest, which counts it.
        if (typeof length === 'number') backupBytes -= length - result.bytesWritten;
        return result;
      } finally {
        inFlight.delete(writing);
      }
    },
  });
  return handle;
}

const config = loadConfig(env);
const logger = createLogger(config.logLevel);
const patchbay = await startPatchbay(config, {
  logger,
  webDist: null,
  scheduledChecks: false,
  install: { healthCheckTimeoutMs, hooks: killAt ? { afterJournal } : undefined },
  backupIo: killAfterBytes !== null ? { openWrite: openWriteCounting } : undefined,
});
process.stdout.write(`Patchbay is listening on ${patchbay.app.url}\n`);

exitOnSignals(patchbay, logger);
