/**
 * Patchbay behind Debian's nginx terminating TLS on loopback, configured as docs/deploy.md shows:
 * the cookie is Secure, the proxy's https origin passes the Origin rule and foreign ones do not,
 * subscriptions work through it over WebSocket and SSE, the client address is the browser's — and
 * the same X-Forwarded-* headers sent by anyone but the trusted proxy change nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../server/adapters/logger.js';
import { collect, HttpClient, sseEvents, wsClient } from '../../helpers/graphql-clients.js';
import { unusedPort } from '../../helpers/ports.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../helpers/test-app.js';
import { makeTestCertificate, type TestCertificate, trustingAgent } from '../../helpers/tls.js';

const NGINX = '/usr/sbin/nginx';
const installed = fs.existsSync(NGINX);
if (!installed) console.warn(`behind-nginx.test.ts skipped: ${NGINX} is missing (Debian package nginx; .ci/run installs it)`);

/** The address nginx connects to Patchbay from (`proxy_bind`), so that the test's own requests are not the proxy's. */
const PROXY_ADDRESS = '127.0.0.3';

function nginxConf(dir: string, listenPort: number, upstreamPort: number, cert: TestCertificate): string {
  return `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${listenPort} ssl;
    ssl_certificate ${cert.certFile};
    ssl_certificate_key ${cert.keyFile};
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_bind ${PROXY_ADDRESS};
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 1h;
    }
  }
}
`;
}

async function listening(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const LOGIN = 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename } }';

describe.skipIf(!installed)('Patchbay behind nginx terminating TLS', () => {
  let app: TestApp;
  let cert: TestCertificate & { dir: string };
  let nginx: ChildProcess;
  let dir: string;
  let proxyUrl: string;
  const logs: Record<string, unknown>[] = [];

  const viaProxy = async () => {
    const client = new HttpClient(proxyUrl);
    client.dispatcher = trustingAgent(cert.cert);
    return client;
  };
  const loginAddresses = () => logs.filter((l) => l.msg === 'login').map((l) => l.address);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-nginx-'));
    cert = await makeTestCertificate(dir);
    app = await startTestApp({
      env: { PATCHBAY_TRUSTED_PROXIES: PROXY_ADDRESS },
      options: { logger: createLogger('info', (line) => logs.push(JSON.parse(line) as Record<string, unknown>)) },
    });
    const listenPort = await unusedPort();
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, nginxConf(dir, listenPort, Number(new URL(app.url).port), cert));
    nginx = spawn(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
    await listening(listenPort);
    proxyUrl = `https://127.0.0.1:${listenPort}`;
  });
  afterAll(async () => {
    if (nginx) {
      const pid = Number(fs.readFileSync(path.join(dir, 'nginx.pid'), 'utf8'));
      const exited = new Promise((resolve) => nginx.once('exit', resolve));
      process.kill(pid, 'SIGTERM');
      await exited;
    }
    await app?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sets the login cookie Secure, sends HSTS, and records the browser address rather than the proxy', async () => {
    const client = await viaProxy();
    const login = await client.login('admin', ADMIN_PASSWORD);
    expect(login.data).toMatchObject({ login: { __typename: 'LoginSuccess' } });
    expect(login.headers.getSetCookie()[0]!.split('; ')).toContain('Secure');
    expect(login.headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect(loginAddresses().at(-1)).toBe('127.0.0.1');
  });

  it("accepts the proxy's own https origin and refuses a foreign one", async () => {
    const client = await viaProxy();
    await client.login('admin', ADMIN_PASSWORD);
    client.origin = proxyUrl;
    expect((await client.query('{ system { state } }')).status).toBe(200);
    for (const foreign of ['https://evil.example', proxyUrl.replace('https:', 'http:')]) {
      client.origin = foreign;
      const refused = await client.query('{ system { state } }');
      expect(refused.status, foreign).toBe(403);
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN_ORIGIN');
    }
  });

  it('carries a WebSocket subscription (wss) authenticated by the cookie from the proxy origin', async () => {
    const client = await viaProxy();
    await client.login('admin', ADMIN_PASSWORD);
    const ws = wsClient(proxyUrl, { ca: cert.cert, headers: { cookie: client.cookie!, origin: proxyUrl } });
    const events = await collect<{ systemState: { state: string } }>(ws, 'subscription { systemState { state } }', (e) => e.length >= 1);
    expect(events[0]!.systemState.state).toEqual(expect.any(String));
    await ws.dispose();
  });

  it('streams an SSE subscription through the proxy event by event (proxy_buffering off)', async () => {
    const client = await viaProxy();
    await client.login('admin', ADMIN_PASSWORD);
    const { status, events } = await sseEvents<{ data: { systemState: { state: string } } }>(
      proxyUrl,
      'subscription { systemState { state } }',
      { cookie: client.cookie!, origin: proxyUrl },
      (e) => e.length >= 1,
      { timeoutMs: 10_000, dispatcher: trustingAgent(cert.cert) },
    );
    expect(status).toBe(200);
    expect(events[0]?.data.systemState.state).toEqual(expect.any(String));
  });

  it('ignores the same X-Forwarded headers sent directly by a peer that is not a trusted proxy', async () => {
    const forged = {
      'content-type': 'application/json',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': new URL(proxyUrl).host,
      'x-forwarded-for': '203.0.113.9',
    };
    const body = JSON.stringify({ query: LOGIN, variables: { u: 'admin', p: ADMIN_PASSWORD } });
    const login = await fetch(`${app.url}/graphql`, { method: 'POST', headers: forged, body });
    expect(((await login.json()) as { data: unknown }).data).toMatchObject({ login: { __typename: 'LoginSuccess' } });
    expect(login.headers.getSetCookie()[0]!.split('; ')).not.toContain('Secure');
    expect(login.headers.get('strict-transport-security')).toBeNull();
    expect(loginAddresses().at(-1)).toBe('127.0.0.1');

    const asProxyOrigin = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { ...forged, origin: proxyUrl }, body });
    expect(asProxyOrigin.status).toBe(403);
  });
});
