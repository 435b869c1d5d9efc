/**
 * Strict requests, against a real server: no forged cross-site mutation, no request addressed to
 * a foreign name (DNS rebinding), GraphiQL only for a session and with the SPA's headers,
 * introspection only with a credential, no suggestions, masked malformed bodies, typed refusals of
 * wrong scalars, impossible dates, repeated list entries and invisible characters in names.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, upgradeStatus, wsClient, wsUrl } from '../../helpers/graphql-clients.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } | null;
}

/** One HTTP request with exactly these headers (fetch would not let a test choose Host). */
function raw(
  baseUrl: string,
  pathname: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
) {
  return new Promise<RawResponse>((resolve, reject) => {
    const u = new URL(baseUrl);
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: pathname,
        method,
        headers: { ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buffer = Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'];
          const plain = encoding === 'br' ? zlib.brotliDecompressSync(buffer) : encoding === 'gzip' ? zlib.gunzipSync(buffer) : buffer;
          const text = plain.toString('utf8');
          let json: RawResponse['json'] = null;
          try {
            json = JSON.parse(text) as RawResponse['json'];
          } catch {
            // not JSON: an HTML page
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buffer, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const codes = (res: { json: RawResponse['json'] } | { errors?: { extensions?: Record<string, unknown> }[] }) =>
  ('json' in res ? res.json?.errors : res.errors)?.map((e) => e.extensions?.code) ?? [];

const KEEP = '{ backupSettings { keep } }';

describe('strict requests', () => {
  let app: TestApp;
  let admin: HttpClient;
  let operator: HttpClient;
  let dist: string;

  beforeAll(async () => {
    dist = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-dist-'));
    fs.writeFileSync(path.join(dist, 'index.html'), `<!doctype html><title>Patchbay</title>${'<p>SPA</p>'.repeat(400)}`);
    app = await startTestApp({ options: { webDist: dist } });
    admin = await app.admin();
    operator = new HttpClient(app.url);
    operator.bearer = await app.token(['OPERATE']);
    // The versions of the demo feed are known after a first check.
    await operator.query('mutation { checkForUpdates { __typename } }');
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  const keep = async () => (await admin.query<{ backupSettings: { keep: number } }>(KEEP)).data!.backupSettings.keep;

  describe('cross-site request forgery', () => {
    const form = `query=${encodeURIComponent('mutation { setBackupSettings(keep: 42) { __typename } }')}`;

    it('refuses a form-encoded POST with the session cookie and no Origin, and changes nothing', async () => {
      const before = await keep();
      const res = await raw(app.url, '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: admin.cookie! },
        body: form,
      });
      expect(res.status).toBe(403);
      expect(codes(res)).toEqual(['ORIGIN_REQUIRED']);
      expect(await keep()).toBe(before);
    });

    it('refuses a form-encoded or text/plain POST from its own origin without the preflight header', async () => {
      for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
        const res = await raw(app.url, '/graphql', {
          method: 'POST',
          headers: { 'content-type': type, cookie: admin.cookie!, origin: app.url },
          body: form,
        });
        expect(res.status).toBe(403);
        expect(codes(res)).toEqual(['PREFLIGHT_HEADER_REQUIRED']);
      }
      expect(await keep()).not.toBe(42);
    });

    it('refuses a JSON POST with the session cookie and no Origin; a script uses a token', async () => {
      const res = await raw(app.url, '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie! },
        body: JSON.stringify({ query: KEEP }),
      });
      expect(res.status).toBe(403);
      expect(codes(res)).toEqual(['ORIGIN_REQUIRED']);
    });

    it('accepts a JSON POST with the session cookie from its own origin, as the SPA sends it', async () => {
      const res = await raw(app.url, '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: admin.cookie!, origin: app.url },
        body: JSON.stringify({ query: KEEP }),
      });
      expect(res.status).toBe(200);
      expect(res.json?.data).toMatchObject({ backupSettings: { keep: expect.any(Number) } });
    });

    const upload = (headers: Record<string, string>) => {
      const form = new FormData();
      form.append(
        'operations',
        JSON.stringify({ query: 'mutation ($f: File!) { importLicence(file: $f) { __typename } }', variables: { f: null } }),
      );
      form.append('map', JSON.stringify({ 0: ['variables.f'] }));
      form.append('0', new Blob(['not a licence']), 'licence.json');
      return fetch(`${app.url}/graphql`, { method: 'POST', headers, body: form });
    };

    it('takes a multipart upload with the session cookie only with the preflight header, as the SPA sends it', async () => {
      const bare = await upload(admin.credentialHeaders());
      expect(bare.status).toBe(403);
      const withHeader = await upload({ ...admin.credentialHeaders(), 'x-patchbay-csrf': '1' });
      expect(withHeader.status).toBe(200);
      expect(((await withHeader.json()) as { data: { importLicence: { __typename: string } } }).data.importLicence.__typename).toMatch(
        /Error$/,
      );
    });

    it('keeps bearer-token requests without Origin working, multipart included (curl, integrators)', async () => {
      expect((await operator.query(KEEP)).data).toMatchObject({ backupSettings: { keep: expect.any(Number) } });
      const res = await upload({ authorization: `Bearer ${operator.bearer}` });
      expect(res.status).toBe(200);
    });
  });

  describe('Host rule (DNS rebinding)', () => {
    const query = { method: 'POST', body: JSON.stringify({ query: '{ __typename }' }) };

    it('refuses a request addressed to a foreign name with 421 MISDIRECTED_HOST, even with a valid token', async () => {
      const res = await raw(app.url, '/graphql', {
        ...query,
        headers: {
          host: `rebind.evil.example:${new URL(app.url).port}`,
          'content-type': 'application/json',
          authorization: `Bearer ${operator.bearer}`,
        },
      });
      expect(res.status).toBe(421);
      expect(codes(res)).toEqual(['MISDIRECTED_HOST']);
    });

    it('refuses GraphiQL and the SPA under a foreign name, and answers /healthz under any', async () => {
      const foreign = { host: 'rebind.evil.example', accept: 'text/html', cookie: admin.cookie! };
      expect((await raw(app.url, '/graphql', { headers: foreign })).status).toBe(421);
      expect((await raw(app.url, '/', { headers: foreign })).status).toBe(421);
      expect((await raw(app.url, '/healthz', { headers: foreign })).status).toBe(200);
    });

    it('refuses a WebSocket upgrade addressed to a foreign name', async () => {
      expect(await upgradeStatus(wsUrl(app.url), { host: 'rebind.evil.example' })).toBe(421);
      expect(await upgradeStatus(wsUrl(app.url), {})).toBe(101);
    });

    it('answers loopback names and addresses and its own address', async () => {
      for (const host of ['localhost', 'LOCALHOST.', 'app.localhost:1', '127.0.0.1', '127.1.2.3:80', '[::1]:8080', new URL(app.url).host]) {
        const res = await raw(app.url, '/graphql', { ...query, headers: { host, 'content-type': 'application/json' } });
        expect(res.status, host).toBe(200);
      }
    });
  });

  describe('GraphiQL', () => {
    it('is not served without a session: 401 with a way to log in', async () => {
      const res = await raw(app.url, '/graphql', { headers: { accept: 'text/html' } });
      expect(res.status).toBe(401);
      expect(res.text).toContain('href="/login"');
      expect(res.text).not.toContain('renderYogaGraphiQL');
      const withToken = await raw(app.url, '/graphql', { headers: { accept: 'text/html', authorization: `Bearer ${operator.bearer}` } });
      expect(withToken.status).toBe(401);
    });

    it('is served to a session with the SPA headers, a CSP naming its scripts, and brotli or gzip', async () => {
      const br = await raw(app.url, '/graphql', { headers: { accept: 'text/html', cookie: admin.cookie!, 'accept-encoding': 'gzip, br' } });
      expect(br.status).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.text).toContain('renderYogaGraphiQL');
      expect(br.body.length).toBeLessThan(br.text.length / 3);
      expect(br.headers['x-content-type-options']).toBe('nosniff');
      expect(br.headers['x-frame-options']).toBe('DENY');
      const csp = br.headers['content-security-policy']!;
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]{44}';/);
      expect(csp).not.toContain('unsafe-eval');
      const gzip = await raw(app.url, '/graphql', { headers: { accept: 'text/html', cookie: admin.cookie!, 'accept-encoding': 'gzip' } });
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.text).toBe(br.text);
    });

    it('compresses the SPA the same way', async () => {
      const res = await raw(app.url, '/', { headers: { 'accept-encoding': 'br;q=0, gzip' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(res.headers['content-security-policy']).toContain("script-src 'self';");
      expect(res.text).toContain('<p>SPA</p>');
    });
  });

  describe('introspection and suggestions', () => {
    it('refuses introspection without a credential with UNAUTHENTICATED, also through a fragment', async () => {
      const anonymous = app.anonymous();
      for (const q of [
        '{ __schema { types { name } } }',
        '{ __type(name: "ApiScope") { enumValues { name } } }',
        '{ ...f } fragment f on Query { __schema { queryType { name } } }',
      ]) {
        const res = await anonymous.query(q);
        expect(codes(res), q).toEqual(['UNAUTHENTICATED']);
        expect(res.data ?? null).toBeNull();
      }
      expect((await anonymous.query('{ __typename }')).data).toEqual({ __typename: 'Query' });
    });

    it('answers introspection with a credential', async () => {
      const res = await operator.query<{ __type: { enumValues: { name: string }[] } }>(
        '{ __type(name: "ApiScope") { enumValues { name } } }',
      );
      expect(res.data?.__type.enumValues.map((v) => v.name)).toContain('OPERATE');
    });

    it('suggests no enum value, argument, type or field over HTTP', async () => {
      const probes: [string, Record<string, unknown>?][] = [
        ['mutation { createApiToken(name: "x", scopes: [OPRATE]) { __typename } }'],
        ['mutation ($s: [ApiScope!]!) { createApiToken(name: "x", scopes: $s) { __typename } }', { s: ['OPRATE'] }],
        ['{ availableVersions(locle: "de") { version } }'],
        ['query ($s: ApiScop) { __typename }'],
        ['{ system { versoin } }'],
      ];
      for (const [q, variables] of probes) {
        for (const client of [app.anonymous(), operator]) {
          const res = await client.query(q, variables);
          expect(res.errors?.length, q).toBeGreaterThan(0);
          expect(JSON.stringify(res.errors), q).not.toMatch(/did you mean|OPERATE|locale|ApiScope"|version"/i);
        }
      }
    });

    it('suggests nothing over a WebSocket either', async () => {
      const client = wsClient(app.url, { connectionParams: { authorization: `Bearer ${operator.bearer}` } });
      const answer = (query: string, variables?: Record<string, unknown>) =>
        new Promise<string>((resolve) => {
          client.subscribe(
            { query, variables },
            { next: (r) => resolve(JSON.stringify(r)), error: (e) => resolve(JSON.stringify(e)), complete: () => resolve('') },
          );
        });
      try {
        const probes: [string, Record<string, unknown>?][] = [
          ['subscription ($s: ApiScop) { systemState { state } }'],
          ['subscription { systemState { stat } }'],
          ['mutation { createApiToken(name: "x", scopes: [OPRATE]) { __typename } }'],
          ['mutation ($s: [ApiScope!]!) { createApiToken(name: "x", scopes: $s) { __typename } }', { s: ['OPRATE'] }],
        ];
        for (const [q, variables] of probes) {
          const text = await answer(q, variables);
          expect(text, q).toMatch(/message/);
          expect(text, q).not.toMatch(/did you mean|OPERATE|ApiScope"|state"/i);
        }
      } finally {
        await client.dispose();
      }
    });
  });

  describe('malformed requests', () => {
    it('masks a malformed JSON body: 400 BAD_REQUEST, nothing of the body echoed', async () => {
      const res = await raw(app.url, '/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${operator.bearer}`,
        },
        body: '{"query":"{ __typename }","password":"hunter2-secret',
      });
      expect(res.status).toBe(400);
      expect(codes(res)).toEqual(['BAD_REQUEST']);
      expect(res.text).not.toContain('originalError');
      expect(res.text).not.toContain('hunter2');
    });

    it('refuses a File variable given a string with INVALID_INPUT', async () => {
      const res = await operator.query('mutation ($f: File!) { importLicence(file: $f) { __typename } }', { f: 'licence.json' });
      expect(codes(res)).toEqual(['INVALID_INPUT']);
      const literal = await operator.query('mutation { importLicence(file: "licence.json") { __typename } }');
      expect(codes(literal)).toEqual(['INVALID_INPUT']);
    });
  });

  describe('strict input', () => {
    const TOKEN = `mutation ($name: String!, $scopes: [ApiScope!]!, $expiresAt: DateTime) {
      createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
        __typename ... on InvalidInputError { code field message }
      }
    }`;
    type TokenResult = { createApiToken: { __typename: string; code?: string; field?: string } };

    it('refuses impossible dates with INVALID_INPUT instead of rolling them over', async () => {
      for (const expiresAt of [
        '2026-11-31T23:00Z',
        '2028-02-30T10:00:00Z',
        '2027-02-29T10:00:00+01:00',
        '2027-01-01T24:00:00Z',
        '2027-01-01T10:00:00+25:00',
      ]) {
        const res = await admin.query(TOKEN, { name: 'dated', scopes: ['READ'], expiresAt });
        expect(codes(res), expiresAt).toEqual(['INVALID_INPUT']);
      }
      const literal = await admin.query(
        'mutation { createApiToken(name: "x", scopes: [READ], expiresAt: "2026-11-31T23:00Z") { __typename } }',
      );
      expect(codes(literal)).toEqual(['INVALID_INPUT']);
      const leap = await admin.query<TokenResult>(TOKEN, { name: 'leap', scopes: ['READ'], expiresAt: '2028-02-29T10:00:00Z' });
      expect(leap.data?.createApiToken.__typename).toBe('CreateApiTokenSuccess');
    });

    it('refuses a start time on an impossible date for a download', async () => {
      const res = await operator.query(
        'mutation { scheduleDownload(input: { version: "8.2.0", startAt: "2026-11-31T23:00Z", acknowledgeWarnings: true }) { __typename } }',
      );
      expect(codes(res)).toEqual(['INVALID_INPUT']);
    });

    it('refuses a module listed twice for a download, naming the field, and stores no job', async () => {
      const module = { moduleId: 'callcenter', version: '3.1.0' };
      const res = await operator.query<{ scheduleDownload: { __typename: string; field?: string } }>(
        'mutation ($input: ScheduleDownloadInput!) { scheduleDownload(input: $input) { __typename ... on InvalidInputError { field } } }',
        { input: { version: '8.2.0', acknowledgeWarnings: true, modules: [module, module] } },
      );
      expect(res.data?.scheduleDownload).toEqual({ __typename: 'InvalidInputError', field: 'modules' });
      const jobs = await operator.query<{ updateJobs: unknown[] }>('{ updateJobs { id } }');
      expect(jobs.data?.updateJobs).toEqual([]);
      const check = await operator.query<{ checkModuleSelection: { __typename: string } }>(
        'query ($m: [ModuleSelectionInput!]!) { checkModuleSelection(targetVersion: "8.2.0", modules: $m) { __typename } }',
        { m: [module, module] },
      );
      expect(check.data?.checkModuleSelection.__typename).toBe('InvalidInputError');
    });

    it('refuses a scope listed twice, naming the field', async () => {
      const res = await admin.query<TokenResult>(TOKEN, { name: 'twice', scopes: ['READ', 'READ'] });
      expect(res.data?.createApiToken).toMatchObject({ __typename: 'InvalidInputError', field: 'scopes' });
    });

    it('refuses control and direction characters in a token name', async () => {
      for (const name of [
        'nul\u0000',
        'esc\u001b[31m',
        'del\u007f',
        'c1\u0085',
        'gpj.\u202etxt',
        'iso\u2066late',
        'mark\u200f',
        'arabic\u061c',
      ]) {
        const res = await admin.query<TokenResult>(TOKEN, { name, scopes: ['READ'] });
        expect(res.data?.createApiToken, JSON.stringify(name)).toMatchObject({ __typename: 'InvalidInputError', field: 'name' });
      }
      const fine = await admin.query<TokenResult>(TOKEN, { name: 'Überwachung – Zentrale', scopes: ['READ'] });
      expect(fine.data?.createApiToken.__typename).toBe('CreateApiTokenSuccess');
    });
  });
});

describe('strict requests with settings', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ env: { PATCHBAY_GRAPHIQL: 'off', PATCHBAY_ALLOWED_ORIGINS: 'https://pbx.example.com' } });
  });
  afterAll(() => app.close());

  it('serves no GraphiQL with PATCHBAY_GRAPHIQL=off, not even to a session', async () => {
    const admin = await app.admin();
    const res = await raw(app.url, '/graphql', { headers: { accept: 'text/html', cookie: admin.cookie! } });
    expect(res.status).toBe(404);
    expect(codes(res)).toEqual(['GRAPHIQL_OFF']);
  });

  it('answers under the host name of an allowed origin, and only there', async () => {
    const post = (host: string) =>
      raw(app.url, '/graphql', {
        method: 'POST',
        headers: { host, 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    expect((await post('pbx.example.com')).status).toBe(200);
    expect((await post('pbx.example.com:443')).status).toBe(200);
    expect((await post('pbx.example.com.evil.example')).status).toBe(421);
  });
});
