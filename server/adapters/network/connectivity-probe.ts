/**
 * Checks one endpoint step by step — DNS, TCP, TLS (https), HTTP — measuring each and stopping at
 * the first failure, so that the admin learns which host, which port and which check failed.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import { hostAndPort, type ConnectivityStep, type Endpoint, type EndpointCheck } from '../../domain/connectivity.js';

export interface ProbeOptions {
  timeoutMs: number;
  now?: () => Date;
}

const ERRNO: Record<string, string> = {
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'DNS server did not answer',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  CERT_HAS_EXPIRED: 'certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not trusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate does not match the host name',
};

export function describeNetworkError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const code = e?.code;
  if (code && ERRNO[code]) return `${ERRNO[code]} (${code})`;
  return code ? `${e.message} (${code})` : e instanceof Error ? e.message : String(err);
}

async function timed<T>(timeoutMs: number, what: string, fn: () => Promise<T>): Promise<{ value?: T; ms: number; error?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { value, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { ms: Math.round(performance.now() - started), error: describeNetworkError(err) };
  } finally {
    clearTimeout(timer);
  }
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
}

function handshake(socket: net.Socket, servername: string): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername: net.isIP(servername) ? undefined : servername });
    secure.once('secureConnect', () => resolve(secure));
    secure.once('error', (err) => {
      secure.destroy();
      reject(err);
    });
  });
}

function head(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.request(
      url,
      { method: 'GET', timeout: timeoutMs, headers: { 'user-agent': 'patchbay-connectivity-check' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

export async function probeEndpoint(endpoint: Endpoint, { timeoutMs, now = () => new Date() }: ProbeOptions): Promise<EndpointCheck> {
  const { host, port, secure } = hostAndPort(endpoint.url);
  const steps: ConnectivityStep[] = [];
  const done = (ok: boolean): EndpointCheck => ({ endpoint, host, port, ok, steps, checkedAt: now() });

  const lookup = await timed(timeoutMs, 'DNS lookup', () =>
    net.isIP(host) ? Promise.resolve(host) : dns.lookup(host).then((r) => r.address),
  );
  steps.push({ step: 'DNS', ok: !lookup.error, latencyMs: lookup.ms, detail: lookup.error ?? null });
  if (lookup.error) return done(false);

  const tcp = await timed(timeoutMs, `TCP connect to ${host}:${port}`, () => connect(lookup.value!, port));
  steps.push({ step: 'TCP', ok: !tcp.error, latencyMs: tcp.ms, detail: tcp.error ?? null });
  if (tcp.error) return done(false);

  if (secure) {
    const handshaken = await timed(timeoutMs, 'TLS handshake', () => handshake(tcp.value!, host));
    steps.push({ step: 'TLS', ok: !handshaken.error, latencyMs: handshaken.ms, detail: handshaken.error ?? null });
    (handshaken.value ?? tcp.value!).destroy();
    if (handshaken.error) return done(false);
  } else {
    tcp.value!.destroy();
  }

  const status = await timed(timeoutMs, 'HTTP request', () => head(endpoint.url, timeoutMs));
  const httpOk = !status.error && status.value! < 400;
  steps.push({
    step: 'HTTP',
    ok: httpOk,
    latencyMs: status.ms,
    detail: status.error ?? (httpOk ? null : `HTTP ${status.value}`),
  });
  return done(httpOk);
}
