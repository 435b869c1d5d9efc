/**
 * Patchbay serving HTTPS itself (PATCHBAY_TLS_CERT/KEY): the API, the SPA's port and WSS on one
 * port, HSTS, a Secure cookie, and a certificate swapped on reload without dropping connections.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/adapters/logger.js';
import { collect, HttpClient, wsClient } from '../../helpers/graphql-clients.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { makeTestCertificate, presentedFingerprint, type TestCertificate, trustingAgent } from '../../helpers/tls.js';

/** One keep-alive request on an open TLS connection. */
function askHealth(socket: tls.TLSSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const onData = (d: Buffer) => {
      answer += d.toString();
      if (answer.includes('{"status":"ok"}')) {
        socket.off('data', onData);
        resolve(answer);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

describe('Patchbay serving HTTPS with its own certificate', () => {
  let app: TestApp;
  let first: TestCertificate & { dir: string };
  let second: TestCertificate & { dir: string };
  const logs: string[] = [];
  const port = () => Number(new URL(app.url).port);

  beforeAll(async () => {
    [first, second] = await Promise.all([makeTestCertificate(), makeTestCertificate()]);
    app = await startTestApp({
      env: { PATCHBAY_TLS_CERT: first.certFile, PATCHBAY_TLS_KEY: first.keyFile },
      options: { logger: createLogger('info', (line) => logs.push(line)) },
    });
  });
  afterAll(async () => {
    await app?.close();
    for (const c of [first, second]) fs.rmSync(c.dir, { recursive: true, force: true });
  });

  it('answers over HTTPS with HSTS, and sets the login cookie Secure', async () => {
    expect(app.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(app.patchbay.tls?.info).toMatchObject({ certFile: first.certFile, selfSigned: false, fingerprint256: first.fingerprint256 });
    const health = await fetch(`${app.url}/healthz`, { dispatcher: trustingAgent(first.cert) } as RequestInit);
    expect(health.status).toBe(200);
    expect(health.headers.get('strict-transport-security')).toBe('max-age=31536000');

    const client = new HttpClient(app.url);
    client.dispatcher = trustingAgent(first.cert);
    const login = await client.login('admin', ADMIN_PASSWORD);
    expect(login.data).toMatchObject({ login: { __typename: 'LoginSuccess' } });
    expect(login.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const [cookie] = login.headers.getSetCookie();
    expect(cookie).toMatch(/^patchbay_session=\S+;/);
    expect(cookie!.split('; ')).toContain('Secure');
  });

  it('refuses plain HTTP on the same port', async () => {
    await expect(fetch(app.url.replace('https:', 'http:') + '/healthz')).rejects.toThrow();
  });

  it('serves a subscription over WSS on the same port, with the cookie from its own https origin', async () => {
    const client = new HttpClient(app.url);
    client.dispatcher = trustingAgent(first.cert);
    await client.login('admin', ADMIN_PASSWORD);
    const ws = wsClient(app.url, { ca: first.cert, headers: { cookie: client.cookie!, origin: app.url } });
    const events = await collect<{ systemState: { state: string } }>(ws, 'subscription { systemState { state } }', (e) => e.length >= 1);
    expect(events[0]!.systemState.state).toEqual(expect.any(String));
    await ws.dispose();
  });

  it('serves a new certificate to new connections after a reload, while an open connection goes on', async () => {
    const open = tls.connect({ host: '127.0.0.1', port: port(), ca: first.cert });
    await new Promise((resolve) => open.once('secureConnect', resolve));
    await askHealth(open);

    fs.copyFileSync(second.certFile, first.certFile);
    fs.copyFileSync(second.keyFile, first.keyFile);
    const outcome = await app.patchbay.tls!.reload();

    expect(outcome).toEqual({ kind: 'reloaded', fingerprint256: second.fingerprint256 });
    expect(await presentedFingerprint(port())).toBe(second.fingerprint256);
    expect(app.patchbay.tls!.info.fingerprint256).toBe(second.fingerprint256);
    expect(await askHealth(open)).toMatch(/^HTTP\/1\.1 200/);
    expect(open.getPeerCertificate().fingerprint256).toBe(first.fingerprint256);
    open.destroy();
  });

  it('keeps the current certificate when a file is bad on reload, and logs the typed error', async () => {
    const before = await presentedFingerprint(port());
    fs.writeFileSync(first.certFile, '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
    const outcome = await app.patchbay.tls!.reload();

    expect(outcome.kind).toBe('kept');
    expect(outcome.kind === 'kept' && outcome.error.code).toBe('TLS_CERTIFICATE_INVALID');
    expect(await presentedFingerprint(port())).toBe(before);
    const logged = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.code === 'TLS_CERTIFICATE_INVALID');
    expect(logged).toMatchObject({ level: 'error', area: 'tls', file: first.certFile });
  });
});
