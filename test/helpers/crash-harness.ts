/**
 * A Patchbay process for crash tests, run with tsx like `server/main.ts`, that can die at a chosen
 * point of an installation with SIGKILL: a power cut, with no chance to clean up. Without the
 * variables below it is a plain Patchbay (with the tests' cheap password hasher).
 *
 *   PATCHBAY_TEST_KILL_AT=<step>              once that step is journaled, before it acts (a ROLLBACK_* step
 *                                             only while rolling back, any other step only going forward)
 *   PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES=<n> once the backup has written n bytes (in the middle of its copy)
 *   PATCHBAY_TEST_KILL_WHILE_DRAINING=1       once the installation waits for calls, the appliance drained
 *   PATCHBAY_TEST_KILL_SCOPE=group|process    group (default): the whole process group, tsx, Patchbay and the
 *                                             appliance; process: Patchbay alone, the appliance runs on orphaned
 *   PATCHBAY_TEST_HEALTHCHECK_TIMEOUT_MS=<n>  how long a started release may take to be healthy
 */
import fsp from 'node:fs/promises';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/adapters/logger.js';
import { kernelCopy } from '../../server/adapters/backup/file-copy.js';
import type { InstallJournal } from '../../server/domain/install.js';
import { exitOnSignals, startPatchbay } from '../../server/main.js';
import { fastHasher } from './fast-hasher.js';

const env = process.env;
const killAt = env.PATCHBAY_TEST_KILL_AT || null;
const killAfterBytes = env.PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES ? Number(env.PATCHBAY_TEST_KILL_AFTER_BACKUP_BYTES) : null;
const killWhileDraining = env.PATCHBAY_TEST_KILL_WHILE_DRAINING === '1';
const killScope = env.PATCHBAY_TEST_KILL_SCOPE === 'process' ? 'process' : 'group';
const healthCheckTimeoutMs = env.PATCHBAY_TEST_HEALTHCHECK_TIMEOUT_MS ? Number(env.PATCHBAY_TEST_HEALTHCHECK_TIMEOUT_MS) : undefined;

function powerCut(): never {
  process.stdout.write(`crash-harness: SIGKILL (${killScope})\n`);
  // Pid 0 is this process's group: tsx, this process and every child (the appliance, a migration).
  process.kill(killScope === 'group' ? 0 : process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
}

function afterJournal(journal: InstallJournal): void {
  if (killWhileDraining && journal.step === 'DRAIN' && journal.phase === 'FORWARD') {
    // The step acts after this: the first progress of the wait says that the appliance is drained.
    void (async () => {
      for await (const event of patchbay.services.events.subscribe(`job/${journal.jobId}`)) {
        if (event.kind === 'progress' && event.progress.drain) powerCut();
      }
    })();
    return;
  }
  if (journal.step !== killAt) return;
  const phase = killAt.startsWith('ROLLBACK_') ? 'ROLLING_BACK' : 'FORWARD';
  if (journal.phase === phase) powerCut();
}

let backupBytes = 0;
const inFlight = new Set<Promise<void>>();
let cutting: Promise<never> | null = null;
/**
 * The backup's copies count the bytes they write (several files may be copied at once). The copy
 * that would reach the limit writes only up to it; once the copies begun before it are done, the
 * process dies: the backup holds exactly that many bytes, the last file cut short. Past the cut
 * nothing more is written.
 */
async function copyFileCounting(src: string, dest: string): Promise<void> {
  const size = (await fsp.stat(src)).size;
  if (cutting) return cutting;
  const room = killAfterBytes! - backupBytes;
  if (size >= room) {
    cutting = (async () => {
      const head = Buffer.alloc(room);
      const handle = await fsp.open(src, 'r');
      try {
        await handle.read(head, 0, head.length, 0);
      } finally {
        await handle.close();
      }
      await fsp.writeFile(dest, head);
      await Promise.allSettled(inFlight);
      return powerCut();
    })();
    return cutting;
  }
  backupBytes += size;
  const copying = kernelCopy(src, dest);
  inFlight.add(copying);
  try {
    await copying;
  } finally {
    inFlight.delete(copying);
  }
}

const config = loadConfig(env);
const logger = createLogger(config.logLevel);
const patchbay = await startPatchbay(config, {
  logger,
  webDist: null,
  scheduledChecks: false,
  hasher: fastHasher,
  install: { healthCheckTimeoutMs, hooks: killAt || killWhileDraining ? { afterJournal } : undefined },
  backupIo: killAfterBytes !== null ? { copyFile: copyFileCounting } : undefined,
});
process.stdout.write(`Patchbay is listening on ${patchbay.app.url}\n`);

exitOnSignals(patchbay, logger);
