/**
 * Driving installations through the GraphQL API in tests: schedule and wait for a staged download,
 * install, wait for the job's end, and read the appliance's data and layout from disk.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { HttpClient } from './graphql-clients.js';

export const JOB_FIELDS = `id mode state step outcome restored fromVersion targetVersion backupId
  error { code message }
  steps { step outcome message seconds }
  downtime { cause kind seconds endedAt }
  events { type message }`;

export interface JobView {
  id: string;
  mode: string;
  state: string;
  step: string;
  outcome: string | null;
  restored: boolean;
  fromVersion: string | null;
  targetVersion: string;
  backupId: string | null;
  error: { code: string; message: string } | null;
  steps: { step: string; outcome: string; message: string | null; seconds: number | null }[];
  downtime: { cause: string; kind: string; seconds: number; endedAt: string | null }[];
  events: { type: string; message: string }[];
}

export async function job(client: HttpClient, id: string): Promise<JobView> {
  const res = await client.query<{ updateJob: JobView }>(`query ($id: ID!) { updateJob(id: $id) { ${JOB_FIELDS} } }`, { id });
  if (!res.data?.updateJob) throw new Error(`no job ${id}: ${JSON.stringify(res)}`);
  return res.data.updateJob;
}

export async function waitForJob(client: HttpClient, id: string, states: string[], timeoutMs = 60_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  let last: JobView | null = null;
  while (Date.now() < deadline) {
    last = await job(client, id);
    if (states.includes(last.state)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not reach ${states.join('/')} within ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** The modules the plan pre-selects for `version`, at the version it proposes. */
export async function plannedModules(client: HttpClient, version: string): Promise<{ moduleId: string; version: string }[]> {
  type Plan = { moduleUpdates: { __typename: string; modules?: { moduleId: string; selected: boolean; targetVersion: string | null }[] } };
  const res = await client.query<Plan>(
    `query ($v: String!) { moduleUpdates(targetVersion: $v) { __typename ... on ModulePlan { modules { moduleId selected targetVersion } } } }`,
    { v: version },
  );
  const plan = res.data?.moduleUpdates;
  if (plan?.__typename !== 'ModulePlan') throw new Error(`moduleUpdates: ${JSON.stringify(res)}`);
  return plan.modules!.filter((m) => m.selected && m.targetVersion).map((m) => ({ moduleId: m.moduleId, version: m.targetVersion! }));
}

/** Schedules a download now and waits until it is staged; returns the job id. */
export async function stageDownload(
  client: HttpClient,
  version: string,
  modules: { moduleId: string; version: string }[] = [],
): Promise<string> {
  const res = await client.query<{ scheduleDownload: { __typename: string; job?: { id: string }; code?: string; message?: string } }>(
    `mutation ($input: ScheduleDownloadInput!) { scheduleDownload(input: $input) { __typename ... on ScheduleDownloadSuccess { job { id } } ... on Error { code message } } }`,
    { input: { version, modules, acknowledgeWarnings: true } },
  );
  const outcome = res.data?.scheduleDownload;
  if (outcome?.__typename !== 'ScheduleDownloadSuccess') throw new Error(`scheduleDownload: ${JSON.stringify(res)}`);
  const staged = await waitForJob(client, outcome.job!.id, ['STAGED', 'FAILED']);
  if (staged.state !== 'STAGED') throw new Error(`download failed: ${JSON.stringify(staged)}`);
  return staged.id;
}

/**
 * Searches, stages `version` with the modules its plan selects, and takes the first install
 * estimate (it measures the disk's copy speed, once per home), so that a confirmation shows one at
 * once. Returns the staged job's id.
 */
export async function stageForInstall(client: HttpClient, version: string): Promise<string> {
  const check = await client.query<{ checkForUpdates: { __typename: string } }>('mutation { checkForUpdates { __typename } }');
  if (check.data?.checkForUpdates.__typename !== 'CheckForUpdatesSuccess') throw new Error(`checkForUpdates: ${JSON.stringify(check)}`);
  const jobId = await stageDownload(client, version, await plannedModules(client, version));
  const estimate = await client.query<{ installEstimate: { __typename: string } }>(
    'query ($id: ID!) { installEstimate(jobId: $id) { __typename } }',
    { id: jobId },
  );
  if (estimate.data?.installEstimate.__typename !== 'InstallEstimate') throw new Error(`installEstimate: ${JSON.stringify(estimate)}`);
  return jobId;
}

export type InstallOutcome = { __typename: string; job?: { id: string; state: string }; code?: string; message?: string };

export async function install(client: HttpClient, input: Record<string, unknown>): Promise<InstallOutcome> {
  const res = await client.query<{ install: InstallOutcome }>(
    `mutation ($input: InstallInput!) { install(input: $input) { __typename ... on InstallSuccess { job { id state } } ... on Error { code message } } }`,
    { input },
  );
  if (!res.data?.install) throw new Error(`install: ${JSON.stringify(res)}`);
  return res.data.install;
}

/** SHA-256 of every file under `dir` by relative path (what "byte for byte" means in these tests). */
export function treeHashes(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${entry.name}` : entry.name;
      if (skip(p)) continue;
      if (entry.isDirectory()) walk(p);
      else
        out[p] = crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(dir, p)))
          .digest('hex');
    }
  };
  walk('');
  return out;
}

/** Files a running SQLite appliance keeps open beside its databases, and its pid file. */
export const liveFiles = (rel: string) => /-(wal|shm)$/.test(rel) || rel === 'pbx.pid';

/** Temporary names any step may leave when killed; none may remain once a job has ended. */
export function leftovers(home: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (/^\.(tmp|current|moving|calibration|removing)-|\.restore-|\.replaced-|\.tmp-\d+$/.test(entry.name)) found.push(p);
      if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') walk(p, depth + 1);
    }
  };
  walk(home, 0);
  return found;
}
