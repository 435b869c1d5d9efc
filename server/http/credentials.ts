/**
 * Reading credentials off requests: the session cookie, a bearer token, and the Origin rule that
 * decides whether a browser request may use the cookie at all (same origin, or an allowed one).
 */
import type { IncomingHttpHeaders } from 'node:http';
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
