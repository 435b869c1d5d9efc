/**
 * The finding of issue 11 against a real server with the real scrypt cost: a burst of 12 concurrent
 * wrong passwords for `admin` from one address checked every one (and took ~512 MiB), then locked
 * `admin` for everybody. Now at most the limit is checked, one at a time, the rest is refused at
 * once, and the admin logs in from another address right after.
 *
 * Memory bound: one scrypt check (N=2^17, r=8) holds 128 MiB, and only one runs at a time. The
 * server's RSS may grow by that one check and 64 MiB more (192 MiB); its JS heap by under 64 MiB.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScryptHasher, type PasswordHasher } from '../../../server/adapters/password-hasher.js';
import { LOGIN_POLICY } from '../../../server/domain/auth.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../../helpers/test-app.js';

const MiB = 2 ** 20;
const LOGIN = `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename ... on LoginThrottledError { retryAfterSeconds } } }`;

interface LoginAnswer {
  __typename: string;
  retryAfterSeconds?: number;
}

/** A login over real HTTP from a chosen loopback address (all of 127.0.0.0/8 is loopback on Linux). */
function loginFrom(url: string, localAddress: string, password: string): Promise<LoginAnswer> {
  const body = JSON.stringify({ query: LOGIN, variables: { u: 'admin', p: password } });
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: hostname,
        port,
        localAddress,
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve((JSON.parse(text) as { data: { login: LoginAnswer } }).data.login));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('a burst of wrong passwords for admin (real scrypt)', () => {
  let app: TestApp;
  let verifying = 0;
  let peakVerifying = 0;
  let verified = 0;
  const real = createScryptHasher();
  const counting: PasswordHasher = {
    hash: (password) => real.hash(password),
    async verify(password, encoded) {
      verified += 1;
      verifying += 1;
      peakVerifying = Math.max(peakVerifying, verifying);
      try {
        return await real.verify(password, encoded);
      } finally {
        verifying -= 1;
      }
    },
  };

  beforeAll(async () => {
    app = await startTestApp({ options: { hasher: counting } });
    // An unknown user waits for the dummy hash made at start-up: the burst meets a server at rest.
    expect((await loginFrom(app.url, '127.0.0.3', 'warm-up')).__typename).toBe('InvalidCredentialsError');
    verified = 0;
  });
  afterAll(() => app.close());

  it('checks at most the limit, one at a time, within the memory bound; the admin then logs in from another address', async () => {
    const before = process.memoryUsage();
    let peakRss = before.rss;
    let peakHeap = before.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 10);
    const started = Date.now();
    let answers: LoginAnswer[];
    try {
      answers = await Promise.all(Array.from({ length: 12 }, (_, i) => loginFrom(app.url, '127.0.0.1', `wrong ${i}`)));
    } finally {
      clearInterval(sampler);
    }
    const limit = LOGIN_POLICY.userAtAddress.maxFailures;
    expect(verified).toBeLessThanOrEqual(limit);
    expect(peakVerifying).toBe(1);
    expect(answers.filter((a) => a.__typename === 'InvalidCredentialsError')).toHaveLength(verified);
    const throttled = answers.filter((a) => a.__typename === 'LoginThrottledError');
    expect(throttled).toHaveLength(12 - verified);
    expect(throttled.every((a) => a.retryAfterSeconds! > 0)).toBe(true);
    const rssGrowth = (peakRss - before.rss) / MiB;
    const heapGrowth = (peakHeap - before.heapUsed) / MiB;
    console.log(
      `burst: ${verified} checked in ${Date.now() - started} ms, RSS +${rssGrowth.toFixed(0)} MiB, heap +${heapGrowth.toFixed(0)} MiB`,
    );
    expect(rssGrowth).toBeLessThan(192);
    expect(heapGrowth).toBeLessThan(64);

    // Right after: the correct password from an address that has not failed gets in…
    expect(await loginFrom(app.url, '127.0.0.2', ADMIN_PASSWORD)).toEqual({ __typename: 'LoginSuccess' });
    // …while the address that sent the burst stays locked for admin.
    expect((await loginFrom(app.url, '127.0.0.1', ADMIN_PASSWORD)).__typename).toBe('LoginThrottledError');
  }, 60_000);
});
