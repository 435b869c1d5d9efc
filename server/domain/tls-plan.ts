/**
 * How Patchbay serves its port: with the operator's certificate, with a self-signed one made on the
 * first start, or as plain HTTP — and the names a self-signed certificate covers. Plain HTTP is the
 * default only where nothing but this machine can connect (a loopback HOST); elsewhere the login
 * form and the session cookie would cross the LAN in clear, so it needs `PATCHBAY_TLS=off`.
 */
import net from 'node:net';
import { isLoopbackHost } from './address-ranges.js';

export interface TlsSettings {
  /** `off`: plain HTTP on any HOST; `auto`: the rules above. */
  mode: 'auto' | 'off';
  certFile: string | null;
  keyFile: string | null;
}

export type TlsPlan = { kind: 'plain' } | { kind: 'certificate'; certFile: string; keyFile: string } | { kind: 'self-signed' };

export function planTls(settings: TlsSettings, host: string): TlsPlan {
  if (settings.certFile && settings.keyFile) return { kind: 'certificate', certFile: settings.certFile, keyFile: settings.keyFile };
  if (settings.mode === 'off' || isLoopbackHost(host)) return { kind: 'plain' };
  return { kind: 'self-signed' };
}

export interface SubjectNames {
  dns: string[];
  ip: string[];
}

/**
 * Every name a browser on the LAN may use for this machine: the listening host (unless it is a
 * wildcard), the machine's host name and addresses, the hosts of the configured origins, and loopback.
 */
export function certificateNames(input: {
  host: string;
  hostname: string;
  interfaceAddresses: readonly string[];
  origins: readonly string[];
}): SubjectNames {
  const candidates = [
    input.host,
    input.hostname,
    ...input.interfaceAddresses,
    ...input.origins.map((o) => new URL(o).hostname),
    'localhost',
    '127.0.0.1',
    '::1',
  ]
    .map((n) => n.replace(/^\[(.*)\]$/, '$1').toLowerCase())
    .filter((n) => n && n !== '0.0.0.0' && n !== '::');
  const unique = [...new Set(candidates)];
  return { dns: unique.filter((n) => net.isIP(n) === 0), ip: unique.filter((n) => net.isIP(n) !== 0) };
}
