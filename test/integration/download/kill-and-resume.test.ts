/**
 * Patchbay killed with SIGKILL in the middle of a background download, then started again: the
 * job resumes from the partial file, and the feed server's byte count says how much was fetched
 * twice. A real process, a real feed over loopback, a real licence.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog } from '../../../server/domain/catalog.js';
import { FeedRepository } from '../../../server/vendor/feed-repository.js';
import { createLicenceKey, loadLicenceKey, signLicence } from '../../../server/vendor/licence-issuer.js';
import { makeBundle, release, serveWithFaults, tmpDir, type FaultyServer } from '../../helpers/feed-fixtures.js';
import { HttpClient, importLicenceFile } from '../../helpers/graphql-clients.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PASSWORD = 'correct horse battery staple';

function startPatchbay(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  // tsx runs the server in a child node process: a process group lets SIGKILL reach it too.
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

describe('a background download across a SIGKILL of Patchbay', () => {
  let dir: string;
  let server: FaultyServer;
  let env: Record<string, string>;
  let bundleLength: number;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = tmpDir('kill');
    const repo = await FeedRepository.create(path.join(dir, 'vendor'));
    const bundle = await makeBundle(
      path.join(dir, 'work'),
      'pbx-8.1.3',
      { product: 'patchbay-demo-pbx', version: '8.1.3', dataSchemaVersion: 1 },
      crypto.randomBytes(1_500_000),
    );
    bundleLength = fs.statSync(bundle).size;
    await repo.addTarget('releases/pbx-8.1.3.tar.gz', bundle);
    const catalog: Catalog = {
      formatVersion: 1,
      product: 'patchbay-demo-pbx',
      generatedAt: '2026-11-01T00:00:00Z',
      channels: { stable: [{ ...release('8.1.3', '>=8.0.0 <8.1.3', bundleLength), releasedAt: '2026-06-10T08:00:00Z' }], beta: [] },
      modules: [],
    };
    await repo.setCatalog(catalog);
    await repo.publish();
    fs.writeFileSync(path.join(dir, 'root.json'), repo.rootJson());
    const key = await createLicenceKey(path.join(dir, 'licence.pem'));
    fs.writeFileSync(path.join(dir, 'licence-keys.json'), JSON.stringify([key]));
    server = await serveWithFaults(repo.repositoryDir);
    env = {
      PORT: '0',
      PATCHBAY_HOME: path.join(dir, 'home'),
      PATCHBAY_ADMIN_PASSWORD: PASSWORD,
      PATCHBAY_FEED: server.url,
      PATCHBAY_FEED_ROOT: path.join(dir, 'root.json'),
      PATCHBAY_LICENCE_KEYS: path.join(dir, 'licence-keys.json'),
      PATCHBAY_DEMO_CALL_INTERVAL_MS: '0',
      PATCHBAY_LOG_LEVEL: 'warn',
    };
  });
  afterAll(async () => {
    for (const c of children) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }
    const pidFile = path.join(dir, 'home', 'appliance', 'data', 'pbx.pid');
    if (fs.existsSync(pidFile)) {
      try {
        process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resumes from the partial file after the restart: the resumed run fetches only the rest', async () => {
    const first = await startPatchbay(env);
    children.push(first.child);
    let admin = new HttpClient(first.url);
    await admin.login('admin', PASSWORD);
    const systemId = (await admin.query<{ system: { systemId: string } }>('{ system { systemId } }')).data!.system.systemId;
    const licence = signLicence(
      {
        formatVersion: 1,
        id: 'LIC-KILL',
        systemId,
        customer: 'Test',
        edition: 'Business',
        issuedAt: '2026-01-01T00:00:00Z',
        licensedModules: ['fax', 'callcenter', 'crm-connector'],
        maxMajor: 9,
        updateContract: { validFrom: '2026-01-01T00:00:00Z', validUntil: '2027-01-01T00:00:00Z' },
      },
      await loadLicenceKey(path.join(dir, 'licence.pem')),
    );
    await importLicenceFile(admin, Buffer.from(JSON.stringify(licence)));
    await admin.query('mutation { checkForUpdates { __typename } }');
    await admin.query('mutation { setUpdateSettings(downloadBandwidthLimit: 400000) { __typename } }');
    const scheduled = await admin.query<{ scheduleDownload: { __typename: string; job: { id: string } } }>(
      'mutation { scheduleDownload(input: { version: "8.1.3", acknowledgeWarnings: true }) { __typename ... on ScheduleDownloadSuccess { job { id } } ... on Error { code message } } }',
    );
    expect(scheduled.data!.scheduleDownload.__typename).toBe('ScheduleDownloadSuccess');
    const jobId = scheduled.data!.scheduleDownload.job.id;
    const part = path.join(dir, 'home', 'downloads', jobId, 'pbx-8.1.3.tar.gz.part');
    const deadline = Date.now() + 20_000;
    while ((!fs.existsSync(part) || fs.statSync(part).size < 500_000) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    process.kill(-first.child.pid!, 'SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const kept = fs.statSync(part).size;
    const bundleBytes = () => [...server.bytesByPath].filter(([p]) => p.endsWith('pbx-8.1.3.tar.gz')).reduce((n, [, b]) => n + b, 0);
    const sentBeforeKill = bundleBytes();
    expect(kept).toBeGreaterThan(400_000);
    expect(kept).toBeLessThan(bundleLength);

    const second = await startPatchbay(env);
    children.push(second.child);
    admin = new HttpClient(second.url);
    await admin.login('admin', PASSWORD);
    type Job = { state: string; events: { type: string; message: string }[] };
    let job: Job | null = null;
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      job = (await admin.query<{ updateJob: Job }>(`{ updateJob(id: "${jobId}") { state events { type message } } }`)).data!.updateJob;
      if (job?.state === 'STAGED' || job?.state === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job!.state, JSON.stringify(job)).toBe('STAGED');
    expect(job!.events.map((e) => e.type)).toEqual(expect.arrayContaining(['RESUMED', 'RESUME']));
    expect(job!.events.find((e) => e.type === 'RESUME')!.message).toContain(`resuming at byte ${kept}`);
    // The resumed run fetched exactly the rest; what was fetched twice is only what had left the
    // server before the kill without reaching the disk (socket buffers, while the cap held reads).
    const resumedRun = bundleBytes() - sentBeforeKill;
    expect(resumedRun).toBe(bundleLength - kept);
    const fetchedTwice = sentBeforeKill - kept;
    // Every kept byte left the server before the kill, and the first run fetched the bundle once at
    // most (it never started over from byte 0): what was fetched twice is at most what was not kept.
    expect(sentBeforeKill).toBeGreaterThanOrEqual(kept);
    expect(sentBeforeKill).toBeLessThanOrEqual(bundleLength);
    expect(fetchedTwice).toBeLessThanOrEqual(bundleLength - kept);
    console.log(`SIGKILL mid-download: ${kept} of ${bundleLength} bytes kept, ${fetchedTwice} bytes fetched twice`);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
