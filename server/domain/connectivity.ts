/**
 * The vendor endpoints the appliance must reach (the manual's port overview) and the outcome of
 * checking one, step by step: DNS, TCP connect, TLS handshake (https only), HTTP status.
 */
export type ConnectivityStepName = 'DNS' | 'TCP' | 'TLS' | 'HTTP';

export interface ConnectivityStep {
  step: ConnectivityStepName;
  ok: boolean;
  latencyMs: number;
  /** What exactly failed (e.g. "connection refused", "timed out after 5000 ms", "HTTP 503"). */
  detail: string | null;
}

export interface Endpoint {
  /** What the appliance needs this endpoint for, e.g. "Update feed". */
  purpose: string;
  url: string;
}

export interface EndpointCheck {
  endpoint: Endpoint;
  host: string;
  port: number;
  ok: boolean;
  steps: ConnectivityStep[];
  checkedAt: Date;
}

/** The host and port an http(s) URL connects to (default ports filled in). */
export function hostAndPort(url: string): { host: string; port: number; secure: boolean } {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return { host, port: u.port ? Number(u.port) : secure ? 443 : 80, secure };
}
