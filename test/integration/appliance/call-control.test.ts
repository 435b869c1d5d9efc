/**
 * The call controls behind `ApplianceRuntime.calls`: configured commands run for real through a
 * shell (as an admin's scripts would be), and the demo's HTTP control endpoint answering badly
 * (a real loopback server that refuses, stalls or talks nonsense).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CommandAppliance } from '../../../server/adapters/appliance/command-appliance.js';
import { CommandCallControl } from '../../../server/adapters/appliance/command-call-control.js';
import { DemoCallControl } from '../../../server/adapters/appliance/demo-call-control.js';
import { CallControlError, DrainUnsupportedError } from '../../../server/domain/errors/index.js';
import { unusedPort } from '../../helpers/ports.js';

const sh = (script: string) => ['sh', '-c', script];

describe('CommandCallControl', () => {
  const withActiveCalls = (script: string, timeoutMs = 2000) =>
    new CommandCallControl({ activeCalls: sh(script), drain: ['true'], undrain: ['true'] }, timeoutMs);

  describe('activeCalls', () => {
    it('reads the bare integer the command prints', async () => {
      expect(await withActiveCalls('echo 3').activeCalls()).toBe(3);
    });

    it('calls anything but a bare integer unreadable, with what was printed', async () => {
      for (const printed of ['garbage', '3 active calls', '-1', '2.5', '']) {
        const err = await withActiveCalls(`printf '%s\\n' '${printed}'`)
          .activeCalls()
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CallControlError);
        expect(err).toMatchObject({ code: 'ACTIVE_CALLS_UNREADABLE', details: { stdout: printed } });
      }
    });

    it('calls a failing command unreadable, with its exit code and stderr', async () => {
      await expect(withActiveCalls('echo "asterisk not running" >&2; exit 4').activeCalls()).rejects.toMatchObject({
        code: 'ACTIVE_CALLS_UNREADABLE',
        details: { exitCode: 4, timedOut: false, stderr: 'asterisk not running\n' },
      });
    });
  });

  describe('drain', () => {
    it('resolves when the drain command succeeds', async () => {
      const sut = new CommandCallControl({ activeCalls: sh('echo 0'), drain: sh('exit 0'), undrain: ['true'] }, 2000);
      await expect(sut.drain()).resolves.toBeUndefined();
    });

    it('fails with DRAIN_FAILED, the exit code and stderr, when the command fails', async () => {
      const sut = new CommandCallControl({ activeCalls: sh('echo 0'), drain: sh('echo refused >&2; exit 4'), undrain: ['true'] }, 2000);
      await expect(sut.drain()).rejects.toMatchObject({
        code: 'DRAIN_FAILED',
        details: { exitCode: 4, stderr: 'refused\n' },
        message: expect.stringMatching(/exited with code 4: refused/),
      });
    });

    it('fails with DRAIN_FAILED when the command hangs past its timeout', async () => {
      const sut = new CommandCallControl({ activeCalls: sh('echo 0'), drain: ['sleep', '10'], undrain: ['true'] }, 300);
      const started = Date.now();
      await expect(sut.drain()).rejects.toMatchObject({
        code: 'DRAIN_FAILED',
        details: { exitCode: null, timedOut: true },
        message: expect.stringMatching(/timed out after 300 ms/),
      });
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  describe('undrain', () => {
    it('fails with UNDRAIN_FAILED when the command fails', async () => {
      const sut = new CommandCallControl({ activeCalls: sh('echo 0'), drain: ['true'], undrain: sh('exit 4') }, 2000);
      await expect(sut.undrain()).rejects.toMatchObject({ code: 'UNDRAIN_FAILED', details: { exitCode: 4 } });
    });
  });
});

describe('CommandAppliance.calls', () => {
  const base = { startCommand: ['true'], stopCommand: ['true'], healthUrl: 'http://127.0.0.1:1/' };

  it('drives the configured call commands', async () => {
    const sut = new CommandAppliance({ ...base, callCommands: { activeCalls: sh('echo 7'), drain: ['true'], undrain: ['true'] } });
    expect(sut.calls.supported).toBe(true);
    expect(await sut.calls.activeCalls()).toBe(7);
  });

  it('says it cannot drain when no call commands are configured', async () => {
    const sut = new CommandAppliance(base);
    expect(sut.calls.supported).toBe(false);
    await expect(sut.calls.drain()).rejects.toBeInstanceOf(DrainUnsupportedError);
  });
});

describe('DemoCallControl', () => {
  let server: http.Server | null = null;

  async function serve(handler: http.RequestListener): Promise<number> {
    server = http.createServer(handler);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return (server.address() as AddressInfo).port;
  }
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = null;
  });

  it('reads activeCalls from /status and switches the drain with POSTs', async () => {
    const seen: string[] = [];
    let draining = false;
    const port = await serve((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.method === 'POST') draining = req.url === '/drain';
      res.end(JSON.stringify({ activeCalls: 2, draining }));
    });
    const sut = new DemoCallControl(() => port);
    expect(await sut.activeCalls()).toBe(2);
    await sut.drain();
    await sut.undrain();
    expect(seen).toEqual(['GET /status', 'POST /drain', 'POST /undrain']);
  });

  it('reports no call and nothing to drain or undrain while the PBX is not running, asking nothing of it', async () => {
    const sut = new DemoCallControl(() => null);
    expect(await sut.activeCalls()).toBe(0);
    await expect(sut.undrain()).resolves.toBeUndefined();
    await expect(sut.drain()).resolves.toBeUndefined();
  });

  it('turns a refused connection into a typed error', async () => {
    const port = await unusedPort();
    await expect(new DemoCallControl(() => port).activeCalls()).rejects.toMatchObject({
      code: 'ACTIVE_CALLS_UNREADABLE',
      details: { reason: 'ECONNREFUSED' },
    });
  });

  it('turns an answer that is not its status into a typed error', async () => {
    for (const body of ['<html>oops</html>', '{"activeCalls":"3","draining":false}', '{"activeCalls":-1,"draining":false}', 'null']) {
      const port = await serve((_req, res) => res.end(body));
      await expect(new DemoCallControl(() => port).activeCalls()).rejects.toMatchObject({
        code: 'ACTIVE_CALLS_UNREADABLE',
        details: { body },
      });
      await new Promise((r) => server!.close(r));
      server = null;
    }
  });

  it('turns an HTTP error, a stall and a drain not taken into typed errors', async () => {
    const port = await serve((req, res) => {
      if (req.url === '/undrain') return res.writeHead(500).end();
      if (req.url === '/status') return; // never answers
      res.end(JSON.stringify({ activeCalls: 0, draining: false }));
    });
    const sut = new DemoCallControl(() => port, 300);
    await expect(sut.undrain()).rejects.toMatchObject({ code: 'UNDRAIN_FAILED', details: { status: 500 } });
    await expect(sut.activeCalls()).rejects.toMatchObject({
      code: 'ACTIVE_CALLS_UNREADABLE',
      details: { reason: 'timed out after 300 ms' },
    });
    await expect(sut.drain()).rejects.toMatchObject({ code: 'DRAIN_FAILED', details: { answer: { draining: false } } });
  });
});
