/**
 * Part 4 of `npm run bench:install`: the unavailable time of a separate-mode installation of a
 * release of BENCH_RELEASE_MIB (default 200) MiB over BENCH_INSTALL_DATA_MIB (default 500) MiB of
 * appliance data, broken down by step, on a real Patchbay with the real demo appliance and a real
 * feed on 127.0.0.1. The budget (DESIGN.md): close to the backup's time plus a restart's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { install, stageDownload, waitForJob, type JobView } from '../helpers/install-api.js';
import { prepareForInstall, publishInstallFeed, RELEASE_8_2_0 } from '../helpers/install-feed.js';
import { startTestApp } from '../helpers/test-app.js';

const MiB = 1024 * 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Adds `bytes` of appliance data, half in the call database and half in files, with the appliance stopped. */
function growData(dataDir: string, bytes: number): void {
  const db = new Database(path.join(dataDir, 'calls.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS recordings (id INTEGER PRIMARY KEY, audio BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO recordings (audio) VALUES (?)');
  const blob = crypto.randomBytes(256 * 1024);
  db.transaction(() => {
    for (let done = 0; done < bytes / 2; done += blob.length) {
      blob.writeUInt32LE(done, 0);
      insert.run(blob);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const files = path.join(dataDir, 'voicemail');
  fs.mkdirSync(files, { recursive: true });
  const chunk = crypto.randomBytes(4 * MiB);
  for (let i = 0, done = 0; done < bytes / 2; i++, done += 4 * MiB) {
    chunk.writeUInt32LE(i, 0);
    fs.writeFileSync(path.join(files, `message-${String(i).padStart(4, '0')}.wav`), chunk);
  }
}

export async function benchInstallDowntime({ rounds, releaseMiB, dataMiB }: { rounds: number; releaseMiB: number; dataMiB: number }) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-install-downtime-'));
  const feed = await publishInstallFeed(path.join(work, 'feed'), { releases: [{ ...RELEASE_8_2_0, paddingBytes: releaseMiB * MiB }] });
  try {
    // A prepared home: the data grown, the licence imported, 8.2.0 downloaded and staged.
    const template = path.join(work, 'template');
    fs.mkdirSync(template);
    const first = await startTestApp({ env: feed.env, home: template });
    await first.waitForState('RUNNING');
    await first.patchbay.supervisor.stopForMaintenance('benchmark: growing the data');
    growData(path.join(template, 'appliance', 'data'), dataMiB * MiB);
    await first.patchbay.supervisor.startAfterMaintenance();
    const admin = await first.admin();
    await prepareForInstall(admin, feed);
    const jobId = await stageDownload(admin, '8.2.0', [{ moduleId: 'callcenter', version: '3.1.0' }]);
    await first.close();

    const results: JobView[] = [];
    const unavailable: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const home = path.join(work, `round-${round}`);
      fs.cpSync(template, home, { recursive: true });
      const app = await startTestApp({ env: feed.env, home, options: { install: { healthCheckTimeoutMs: 60_000 } } });
      try {
        await app.waitForState('RUNNING');
        const client = await app.admin();
        const res = await install(client, { jobId });
        if (res.__typename !== 'InstallSuccess') throw new Error(`install: ${JSON.stringify(res)}`);
        const done = await waitForJob(client, jobId, ['SUCCEEDED', 'FAILED'], 600_000);
        if (done.state !== 'SUCCEEDED') throw new Error(`the installation failed: ${JSON.stringify(done.error)}`);
        results.push(done);
        unavailable.push(done.downtime.reduce((n, w) => n + w.seconds, 0));
      } finally {
        await app.close();
        fs.rmSync(home, { recursive: true, force: true });
      }
    }

    const steps = results[0]!.steps.map((s) => s.step);
    const stepMedian = (step: string) => median(results.map((r) => r.steps.find((s) => s.step === step)?.seconds ?? 0));
    console.log('');
    console.log(
      `Separate-mode installation of a ${releaseMiB} MiB release over ${dataMiB} MiB of data (${rounds} rounds, medians, seconds):`,
    );
    console.log('');
    console.log('| step | seconds |');
    console.log('| --- | --- |');
    for (const step of steps) console.log(`| ${step} | ${stepMedian(step).toFixed(2)} |`);
    const backup = stepMedian('BACKUP');
    const restart = stepMedian('STOP') + stepMedian('START') + stepMedian('HEALTHCHECK');
    const measured = median(unavailable);
    console.log(`| **unavailable (recorded window)** | **${measured.toFixed(2)}** |`);
    console.log('');
    console.log(
      `Budget: backup ${backup.toFixed(2)} s + restart (stop, start, health) ${restart.toFixed(2)} s = ${(backup + restart).toFixed(2)} s; ` +
        `unavailable ${measured.toFixed(2)} s, ratio ${(measured / (backup + restart)).toFixed(2)} (1.00 = nothing else in the window).`,
    );
  } finally {
    await feed.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
