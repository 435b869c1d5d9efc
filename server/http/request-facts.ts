/**
 * What a request says about its client once the proxies in front of Patchbay are accounted for:
 * whether the browser spoke HTTPS, which host it addressed, and from which address. The
 * `X-Forwarded-Proto`, `-Host` and `-For` headers are believed only when the peer that sent the
 * request is a trusted proxy (`PATCHBAY_TRUSTED_PROXIES`); from anyone else they are ignored, as
 * any client can write them. One function, used for the cookie's `Secure`, the same-origin rule,
 * and the address that throttling, logs and sessions record, over HTTP and WebSocket alike.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { AddressRanges } from '../domain/address-ranges.js';

export interface RequestFacts {
  /** The client's connection is TLS: to Patchbay itself, or to the trusted proxy in front. */
  secure: boolean;
  /** The host (and port) the client addressed, as a `Host` header writes it. */
  host: string | null;
  /** The client's IP address: the peer, or the first untrusted hop of `X-Forwarded-For`. */
  address: string | null;
}

export type RequestLike = Pick<IncomingMessage, 'headers' | 'socket'>;

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/i;

export function requestFacts(req: RequestLike, trustedProxies: AddressRanges): RequestFacts {
  const peer = req.socket.remoteAddress ?? null;
  const encrypted = 'encrypted' in req.socket && !!req.socket.encrypted;
  const host = req.headers.host ?? null;
  if (!peer || !trustedProxies.includes(peer)) return { secure: encrypted, host, address: peer };
  const proto = nearestValue(req.headers['x-forwarded-proto'])?.toLowerCase();
  const forwardedHost = nearestValue(req.headers['x-forwarded-host']);
  return {
    secure: proto === undefined ? encrypted : proto === 'https',
    host: forwardedHost !== undefined && HOST.test(forwardedHost) ? forwardedHost : host,
    address: forwardedFor(peer, hops(req.headers['x-forwarded-for']), trustedProxies),
  };
}

function hops(header: string | string[] | undefined): string[] {
  return [header ?? []]
    .flat()
    .flatMap((h) => h.split(','))
    .map((h) => h.trim())
    .filter(Boolean);
}

/** The value written by the proxy nearest to Patchbay (the last one, when proxies appended theirs). */
function nearestValue(header: string | string[] | undefined): string | undefined {
  return hops(header).at(-1);
}

/**
 * Walks `X-Forwarded-For` from the nearest hop outwards while the hop that reported it is trusted:
 * an untrusted hop could have written anything to its left. A malformed entry ends the walk.
 */
function forwardedFor(peer: string, chain: string[], trustedProxies: AddressRanges): string {
  let address = peer;
  for (const hop of chain.reverse()) {
    if (!trustedProxies.includes(address) || net.isIP(hop) === 0) break;
    address = hop;
  }
  return address;
}
