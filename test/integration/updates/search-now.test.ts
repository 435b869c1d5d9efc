/**
 * "Search now" end to end over the API: the embedded demo vendor publishes a real signed feed,
 * served over HTTP on loopback; the appliance verifies it with TUF and lists what is newer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { unusedPort } from '../../helpers/ports.js';

const SEARCH = `mutation { checkForUpdates {
  __typename
  ... on CheckForUpdatesSuccess { check { outcome trigger versionsFound } versions(locale: "de") { version releaseNotes releaseNotesLocale } }
  ... on FeedError { code message host port cause }
} }`;
const VERSIONS = `query ($locale: String) { availableVersions(locale: $locale) {
  version releasedAt releaseNotes releaseNotesLocale downloadSize installable requiredStops channel blockers { code message }
} }`;

type Version = {
  version: string;
  releaseNotes: string;
  releaseNotesLocale: string;
  downloadSize: number;
  installable: boolean;
  requiredStops: string[];
  channel: string;
  blockers: { code: string; message: string }[];
};

describe('Search now with the embedded demo feed', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('has no versions before the first search', async () => {
    const res = await (
      await app.admin()
    ).query<{ availableVersions: Version[]; lastUpdateCheck: null }>('{ availableVersions { version } lastUpdateCheck { id } }');
    expect(res.data).toEqual({ availableVersions: [], lastUpdateCheck: null });
  });

  it('finds 8.1.3, 8.2.0, 9.0.0 and 9.1.0, newest first, with notes in the asked language', async () => {
    const admin = await app.admin();
    const res = await admin.query<{
      checkForUpdates: { __typename: string; check: { outcome: string; trigger: string; versionsFound: number }; versions: Version[] };
    }>(SEARCH);
    expect(res.errors).toBeUndefined();
    const result = res.data!.checkForUpdates;
    expect(result.__typename).toBe('CheckForUpdatesSuccess');
    expect(result.check).toEqual({ outcome: 'SUCCEEDED', trigger: 'MANUAL', versionsFound: 4 });
    expect(result.versions.map((v) => v.version)).toEqual(['9.1.0', '9.0.0', '8.2.0', '8.1.3']);
    expect(result.versions[0]!.releaseNotesLocale).toBe('de');
    expect(result.versions[0]!.releaseNotes).toContain('Voicemail per E-Mail');
  });

  it('describes each version: size as signed, path, blockers', async () => {
    const res = await (await app.admin()).query<{ availableVersions: Version[] }>(VERSIONS, { locale: 'fr' });
    const byVersion = Object.fromEntries(res.data!.availableVersions.map((v) => [v.version, v]));
    expect(byVersion['8.1.3']).toMatchObject({
      installable: true,
      requiredStops: [],
      blockers: [],
      channel: 'STABLE',
      releaseNotesLocale: 'fr',
    });
    expect(byVersion['8.2.0']!.installable).toBe(true);
    // The demo licence covers 8.x up to its contract end; 9.x needs the upgrade licence.
    expect(byVersion['9.0.0']).toMatchObject({ installable: false, requiredStops: [] });
    expect(byVersion['9.0.0']!.blockers.map((b) => b.code)).toEqual(['MAJOR_NOT_LICENSED', 'CONTRACT_EXPIRED']);
    expect(byVersion['9.1.0']).toMatchObject({ installable: false, requiredStops: ['9.0.0'] });
    expect(byVersion['9.1.0']!.blockers.map((b) => b.code)).toEqual(['UPGRADE_PATH', 'MAJOR_NOT_LICENSED', 'CONTRACT_EXPIRED']);
    expect(byVersion['8.1.3']!.downloadSize).toBe(
      fs.statSync(
        fs
          .readdirSync(path.join(app.home, 'demo-vendor', 'repository', 'targets', 'releases'))
          .map((f) => path.join(app.home, 'demo-vendor', 'repository', 'targets', 'releases', f))
          .find((f) => f.endsWith('pbx-8.1.3.tar.gz'))!,
      ).size,
    );
  });

  it('falls back to English notes for a language the vendor did not write', async () => {
    const res = await (await app.admin()).query<{ availableVersions: Version[] }>(VERSIONS, { locale: 'it' });
    expect(res.data!.availableVersions.every((v) => v.releaseNotesLocale === 'en')).toBe(true);
  });

  it('records the search as the last check', async () => {
    const res = await (
      await app.admin()
    ).query<{ lastUpdateCheck: { outcome: string; trigger: string; finishedAt: string } }>(
      '{ lastUpdateCheck { outcome trigger finishedAt } }',
    );
    expect(res.data!.lastUpdateCheck).toMatchObject({ outcome: 'SUCCEEDED', trigger: 'MANUAL' });
  });

  it('shows the beta release on the beta channel only', async () => {
    const admin = await app.admin();
    await admin.query('mutation { setUpdateSettings(channel: BETA) { __typename } }');
    const beta = await admin.query<{ availableVersions: Version[] }>(VERSIONS);
    expect(beta.data!.availableVersions[0]).toMatchObject({ version: '9.2.0-beta.1', channel: 'BETA' });
    await admin.query('mutation { setUpdateSettings(channel: STABLE) { __typename } }');
    const stable = await admin.query<{ availableVersions: Version[] }>(VERSIONS);
    expect(stable.data!.availableVersions.map((v) => v.version)).not.toContain('9.2.0-beta.1');
  });

  it('refuses a check interval out of range as invalid input', async () => {
    const res = await (
      await app.admin()
    ).query('mutation { setUpdateSettings(checkIntervalHours: 0) { __typename ... on InvalidInputError { field } } }');
    expect(res.data).toEqual({ setUpdateSettings: { __typename: 'InvalidInputError', field: 'checkIntervalHours' } });
  });

  it('sets a bandwidth cap, keeps it when other settings change, and removes it with 0', async () => {
    const admin = await app.admin();
    const SET = (args: string) => `mutation { setUpdateSettings(${args}) { ... on UpdateSettings { downloadBandwidthLimit channel } } }`;
    type Settings = { setUpdateSettings: { downloadBandwidthLimit: number | null; channel: string } };
    expect((await admin.query<Settings>(SET('downloadBandwidthLimit: 4096'))).data!.setUpdateSettings.downloadBandwidthLimit).toBe(4096);
    expect((await admin.query<Settings>(SET('channel: STABLE'))).data!.setUpdateSettings.downloadBandwidthLimit).toBe(4096);
    expect((await admin.query<Settings>(SET('downloadBandwidthLimit: 0'))).data!.setUpdateSettings.downloadBandwidthLimit).toBeNull();
    const tooLow = await admin.query(
      'mutation { setUpdateSettings(downloadBandwidthLimit: 100) { __typename ... on InvalidInputError { field } } }',
    );
    expect(tooLow.data).toEqual({ setUpdateSettings: { __typename: 'InvalidInputError', field: 'downloadBandwidthLimit' } });
  });

  it('checks the feed endpoint step by step', async () => {
    const res = await (
      await app.admin()
    ).query<{ runConnectivityCheck: { purpose: string; host: string; ok: boolean; steps: { step: string; ok: boolean }[] }[] }>(
      'mutation { runConnectivityCheck { purpose url host port ok steps { step ok latencyMs detail } } }',
    );
    expect(res.data!.runConnectivityCheck).toEqual([
      expect.objectContaining({
        purpose: 'Update feed',
        host: '127.0.0.1',
        ok: true,
        steps: [
          expect.objectContaining({ step: 'DNS', ok: true }),
          expect.objectContaining({ step: 'TCP', ok: true }),
          expect.objectContaining({ step: 'HTTP', ok: true }),
        ],
      }),
    ]);
  });
});

describe('Search now with an unreachable feed', () => {
  let app: TestApp;
  let port: number;

  beforeAll(async () => {
    port = await unusedPort();
    // The root of some vendor: trust has to start somewhere, even when the feed is down.
    const donor = await startTestApp();
    const root = path.join(donor.home, 'demo-vendor', 'repository', '1.root.json');
    const rootCopy = `${root}.copy`;
    fs.copyFileSync(root, rootCopy);
    app = await startTestApp({ env: { PATCHBAY_FEED: `http://127.0.0.1:${port}/feed/`, PATCHBAY_FEED_ROOT: rootCopy } });
    await donor.close();
  });
  afterAll(() => app.close());

  it('answers FEED_UNREACHABLE naming the host, the port and the cause', async () => {
    const res = await (
      await app.admin()
    ).query<{ checkForUpdates: { __typename: string; code: string; host: string; port: number; cause: string; message: string } }>(SEARCH);
    expect(res.data!.checkForUpdates).toMatchObject({
      __typename: 'FeedError',
      code: 'FEED_UNREACHABLE',
      host: '127.0.0.1',
      port,
      cause: 'connection refused (ECONNREFUSED)',
    });
    const last = await (
      await app.admin()
    ).query<{ lastUpdateCheck: { outcome: string; error: { code: string; port: number } } }>(
      '{ lastUpdateCheck { outcome error { code port } } }',
    );
    expect(last.data!.lastUpdateCheck).toEqual({ outcome: 'FAILED', error: { code: 'FEED_UNREACHABLE', port } });
  });

  it('shows the failed TCP step of the feed endpoint in the connectivity check', async () => {
    const res = await (
      await app.admin()
    ).query<{
      runConnectivityCheck: { host: string; port: number; ok: boolean; steps: { step: string; ok: boolean; detail: string | null }[] }[];
    }>('mutation { runConnectivityCheck { host port ok steps { step ok detail } } }');
    const [feed] = res.data!.runConnectivityCheck;
    expect(feed).toMatchObject({ host: '127.0.0.1', port, ok: false });
    expect(feed!.steps.at(-1)).toEqual({ step: 'TCP', ok: false, detail: 'connection refused (ECONNREFUSED)' });
    const stored = await (await app.admin()).query<{ connectivity: { ok: boolean }[] }>('{ connectivity { ok checkedAt } }');
    expect(stored.data!.connectivity[0]!.ok).toBe(false);
  });
});

describe('the automatic check', () => {
  it('runs by itself when none was ever made, and records its outcome like Search now', async () => {
    const app = await startTestApp({ options: { scheduledChecks: true } });
    try {
      const admin = await app.admin();
      const deadline = Date.now() + 20_000;
      let last: { trigger: string; outcome: string } | null = null;
      while (!last && Date.now() < deadline) {
        last = (
          await admin.query<{ lastUpdateCheck: { trigger: string; outcome: string } | null }>('{ lastUpdateCheck { trigger outcome } }')
        ).data!.lastUpdateCheck;
        if (!last) await new Promise((r) => setTimeout(r, 100));
      }
      expect(last).toEqual({ trigger: 'SCHEDULED', outcome: 'SUCCEEDED' });
      expect(
        (await admin.query<{ availableVersions: unknown[] }>('{ availableVersions { version } }')).data!.availableVersions,
      ).toHaveLength(4);
    } finally {
      await app.close();
    }
  });
});
