/**
 * Reading credentials off requests: the session cookie, a bearer token, and the Origin rule that
 * decides whether a browser request may use the cookie at all (same origin, or an allowed one), the
 * Host rule against DNS rebinding, and the rule against forged cross-site requests.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import type { RequestFacts } from './request-facts.js';

export const SESSION_COOKIE = 'patchbay_session';

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value || null;
    }
  }
  return null;
}

export function readBearer(header: string | undefined | null): string | null {
  const m = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return m?.[1] ?? null;
}

/**
 * True when the request carries no Origin (not a browser, so no ambient-cookie attack), or an
 * Origin equal to this server's own (as the client addressed it, `request-facts.ts`) or configured as allowed.
 */
export function originAllowed(
  headers: IncomingHttpHeaders,
  allowedOrigins: readonly string[],
  facts: Pick<RequestFacts, 'secure' | 'host'>,
): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (allowedOrigins.includes(origin)) return true;
  return !!facts.host && origin === `${facts.secure ? 'https' : 'http'}://${facts.host}`;
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Expires=${expiresAt.toUTCString()}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  return [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0', ...(secure ? ['Secure'] : [])].join('; ');
}

/**
 * A name or address as it appears in a Host header or a URL, canonical: lower case, no port, IPv6
 * in brackets, an IPv4-mapped IPv6 address as its IPv4 address; null when it is not a host.
 */
export function canonicalHost(host: string): string | null {
  const bare = host.trim();
  if (!bare || /[/?#@\\\s]/.test(bare)) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${isIP(bare) === 6 ? `[${bare}]` : bare}`).hostname.replace(/\.$/, '');
  } catch {
    return null;
  }
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(hostname);
  if (!mapped) return hostname;
  const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname === '[::1]';
}

/**
 * Whether a request addressed to `host` (a Host or trusted X-Forwarded-Host value, port allowed)
 * is meant for this server: a loopback name or address, or one of `allowed` (the configured public
 * names and the address the request arrived on). A DNS-rebinding page reaches Patchbay under the
 * attacker's name, which this refuses.
 */
export function hostAllowed(host: string | undefined, allowed: readonly string[]): boolean {
  const hostname = host === undefined ? null : canonicalHost(host);
  if (!hostname) return false;
  return isLoopback(hostname) || allowed.some((a) => canonicalHost(a) === hostname);
}

/** The header that GraphQL multipart and other simple-content-type requests must carry (a browser form cannot set it). */
export const PREFLIGHT_HEADER = 'x-patchbay-csrf';

/** Media types a cross-site form or `fetch` may send without a CORS preflight. */
const SIMPLE_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

export type ForgeryRefusal = 'ORIGIN_REQUIRED' | 'PREFLIGHT_HEADER_REQUIRED';

/**
 * Why a state-changing request (not GET or HEAD) may be a cross-site forgery, or null. A request
 * with the session cookie (and no bearer token) must come from a browser page, which always sends
 * Origin on such requests; other clients use tokens. A body a form could send (a simple content
 * type) must carry `authorization` or the preflight header, which only a preflighted (so
 * same-origin) request can set: that leaves a foreign page only `application/json` with a
 * preflight, which the Origin rule refuses.
 */
export function forgeryRefusal(method: string | undefined, headers: IncomingHttpHeaders): ForgeryRefusal | null {
  if (method === 'GET' || method === 'HEAD') return null;
  const bearer = readBearer(headers.authorization) !== null;
  if (!bearer && readCookie(headers.cookie, SESSION_COOKIE) !== null && headers.origin === undefined) return 'ORIGIN_REQUIRED';
  const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const simple = mediaType === '' || SIMPLE_TYPES.has(mediaType);
  if (simple && !bearer && headers[PREFLIGHT_HEADER] === undefined) return 'PREFLIGHT_HEADER_REQUIRED';
  return null;
}
