import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeEndpoint } from '../../../server/adapters/network/connectivity-probe.js';

const OK_DELAY_MS = 60;

const listen = (server: net.Server) =>
  new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

describe('probeEndpoint', () => {
  const servers: net.Server[] = [];
  let okPort: number;
  let failingPort: number;
  let stallPort: number;
  let tlsPort: number;
  let closedPort: number;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-probe-'));
    // Answers after a known delay, so that the HTTP step's latency has a lower bound.
    const ok = http.createServer((_req, res) => void setTimeout(() => res.end('ok'), OK_DELAY_MS));
    const failing = http.createServer((_req, res) => res.writeHead(503).end());
    const stall = net.createServer(() => {}); // accepts, never answers
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
      ],
      { stdio: 'ignore' },
    );
    const selfSigned = https.createServer(
      { key: fs.readFileSync(`${dir}/key.pem`), cert: fs.readFileSync(`${dir}/cert.pem`) },
      (_req, res) => res.end(),
    );
    servers.push(ok, failing, stall, selfSigned);
    [okPort, failingPort, stallPort, tlsPort] = (await Promise.all(servers.map(listen))) as [number, number, number, number];
    const closed = net.createServer();
    closedPort = await listen(closed);
    await new Promise((r) => closed.close(r));
  });
  afterAll(() => {
    for (const s of servers) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes every step for a reachable HTTP endpoint, with latencies', async () => {
    const started = performance.now();
    const sut = await probeEndpoint({ purpose: 'Update feed', url: `http://127.0.0.1:${okPort}/timestamp.json` }, { timeoutMs: 2000 });
    const elapsedMs = performance.now() - started;
    expect(sut.ok).toBe(true);
    expect(sut.host).toBe('127.0.0.1');
    expect(sut.port).toBe(okPort);
    expect(sut.steps.map((s) => [s.step, s.ok])).toEqual([
      ['DNS', true],
      ['TCP', true],
      ['HTTP', true],
    ]);
    // Whole milliseconds, each step within the probe's own duration, the steps one after another;
    // the HTTP step includes the server's delay (a timer may fire up to a millisecond early).
    for (const s of sut.steps) {
      expect(Number.isInteger(s.latencyMs), `${s.step}: ${s.latencyMs}`).toBe(true);
      expect(s.latencyMs).toBeGreaterThanOrEqual(0);
    }
    const total = sut.steps.reduce((n, s) => n + s.latencyMs, 0);
    expect(total).toBeLessThanOrEqual(Math.ceil(elapsedMs) + sut.steps.length);
    expect(sut.steps.find((s) => s.step === 'HTTP')!.latencyMs).toBeGreaterThanOrEqual(OK_DELAY_MS - 1);
  });

  it('names a closed port as a refused TCP connection and stops there', async () => {
    const sut = await probeEndpoint({ purpose: 'Update feed', url: `http://127.0.0.1:${closedPort}/` }, { timeoutMs: 2000 });
    expect(sut.ok).toBe(false);
    expect(sut.port).toBe(closedPort);
    expect(sut.steps.at(-1)).toMatchObject({ step: 'TCP', ok: false, detail: 'connection refused (ECONNREFUSED)' });
  });

  it('reports an HTTP error status', async () => {
    const sut = await probeEndpoint({ purpose: 'Update feed', url: `http://127.0.0.1:${failingPort}/` }, { timeoutMs: 2000 });
    expect(sut.steps.at(-1)).toMatchObject({ step: 'HTTP', ok: false, detail: 'HTTP 503' });
  });

  it('times out on a server that accepts and never answers', async () => {
    const sut = await probeEndpoint({ purpose: 'Update feed', url: `http://127.0.0.1:${stallPort}/` }, { timeoutMs: 300 });
    expect(sut.steps.at(-1)).toMatchObject({ step: 'HTTP', ok: false });
    expect(sut.steps.at(-1)!.detail).toMatch(/timed out/);
  });

  it('fails the TLS step on a certificate it cannot trust', async () => {
    const sut = await probeEndpoint({ purpose: 'Update feed', url: `https://127.0.0.1:${tlsPort}/` }, { timeoutMs: 2000 });
    expect(sut.steps.map((s) => s.step)).toEqual(['DNS', 'TCP', 'TLS']);
    expect(sut.steps.at(-1)).toMatchObject({ step: 'TLS', ok: false });
    expect(sut.steps.at(-1)!.detail).toMatch(/self-signed|not trusted/);
  });
});
