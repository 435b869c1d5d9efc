/**
 * GraphiQL (PATCHBAY_GRAPHIQL=on): its renderer is imported on the first request for the page, not
 * at start; the page still comes whole, compressed as asked, with its inline scripts allowed by hash.
 */
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { PATCHBAY_GRAPHIQL: 'on' } });
}, 60_000);
afterAll(() => app.close());

/** The raw response (fetch would decode the body itself). */
async function page(encoding: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const admin = await app.admin();
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${app.url}/graphql`,
      { headers: { accept: 'text/html', 'accept-encoding': encoding, cookie: admin.cookie! } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
  });
}

describe('the GraphiQL page', () => {
  it('is rendered on first use and sent brotli-compressed to a client that accepts it', async () => {
    const res = await page('br, gzip');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(res.body).toString()).toContain('YogaGraphiQL');
    const hashes = String(res.headers['content-security-policy']).match(/'sha256-[^']+'/g) ?? [];
    expect(hashes.length).toBeGreaterThan(0);
  });

  it('is the same page, gzip-compressed, for a later client that accepts only gzip', async () => {
    const res = await page('gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.body).toString()).toContain('YogaGraphiQL');
  });

  it('needs a logged-in session', async () => {
    const res = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(401);
  });
});
