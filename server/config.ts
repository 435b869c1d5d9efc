/**
 * Boot-time settings: parsed and validated once from the environment into a frozen object.
 * Settings an operator changes at run time (feed channel, bandwidth cap…) live in SQLite instead.
 * Only `server/main.ts` calls this with `process.env`; tests build a Config directly.
 */
import path from 'node:path';
import { z } from 'zod';
import type { CallCommands } from './adapters/appliance/command-call-control.js';
import { parseAddressRange } from './domain/address-ranges.js';
import type { TlsSettings } from './domain/tls-plan.js';
import { ianaZoneName } from './domain/maintenance-windows.js';

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIGURATION';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type ApplianceConfig =
  | {
      kind: 'demo';
      callIntervalMs: number;
      /** Loopback UDP port of the demo's SIP; 0 = picked at the first start, kept across restarts. */
      sipPort: number;
    }
  | {
      kind: 'command';
      startCommand: string[];
      stopCommand: string[];
      healthUrl: string;
      /** Active-calls, drain and undrain commands (all three or none); null: it cannot drain. */
      callCommands: CallCommands | null;
    };

export interface Config {
  port: number;
  host: string;
  /** Absolute path of the state directory. */
  home: string;
  /** Initial password of user `admin`; only used when the user does not exist yet. */
  adminPassword: string | null;
  /** Feed location (http(s) URL or directory); null = the embedded demo vendor. */
  feed: string | null;
  /** File with the vendor's root.json, trusted on first use of a configured feed. */
  feedRoot: string | null;
  /** More endpoints the connectivity check covers besides the feed. */
  extraEndpoints: string[];
  /** File with the vendor's licence keys (JSON: [{ keyId, publicKey }]). */
  licenceKeys: string | null;
  /**
   * Extra origins allowed to use the session cookie (HTTP POST and WebSocket upgrades); their host
   * names are also the names besides loopback and the server's own addresses that requests may be
   * addressed to (the Host rule against DNS rebinding).
   */
  allowedOrigins: string[];
  /** Certificate files (absolute paths) and whether a LAN-facing HOST may serve plain HTTP. */
  tls: TlsSettings;
  /** Addresses and CIDR ranges of reverse proxies whose X-Forwarded-* headers are believed. */
  trustedProxies: string[];
  /** Whether GraphiQL is served (to logged-in sessions) on GET /graphql. */
  graphiql: boolean;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  appliance: ApplianceConfig;
  /** How long a started release may take to answer healthy before the installation is undone. */
  installHealthTimeoutSeconds: number;
  /** The appliance's IANA time zone, the default of the maintenance windows; null = the system's. */
  timeZone: string | null;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

/** Splits a command line on whitespace; quoting is deliberately not supported (no shell is used). */
const command = (name: string) =>
  z
    .string()
    .trim()
    .min(1, `${name} must not be empty`)
    .transform((s) => s.split(/\s+/));

const origin = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === s;
  } catch {
    return false;
  }
}, 'each entry of PATCHBAY_ALLOWED_ORIGINS must be an origin like https://pbx.example.com (scheme, host, optional port, no path)');

/** A comma-separated list; blanks around entries and empty entries are ignored. */
const commaList = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  PORT: int('PORT', 0, 65535).default(8080),
  HOST: z.string().trim().min(1, 'HOST must not be empty').default('127.0.0.1'),
  PATCHBAY_HOME: z.string().trim().min(1, 'PATCHBAY_HOME must not be empty').default('./var'),
  PATCHBAY_ADMIN_PASSWORD: z
    .string()
    .min(12, 'PATCHBAY_ADMIN_PASSWORD must be at least 12 characters')
    .max(1024, 'PATCHBAY_ADMIN_PASSWORD must be at most 1024 characters')
    .optional(),
  PATCHBAY_FEED: z
    .string()
    .trim()
    .min(1)
    .refine((s) => !/^[a-z]+:/i.test(s) || /^https?:\/\/[^/]/i.test(s), 'PATCHBAY_FEED must be an http(s) URL or a directory path')
    .optional(),
  PATCHBAY_FEED_ROOT: z.string().trim().min(1).optional(),
  PATCHBAY_LICENCE_KEYS: z.string().trim().min(1).optional(),
  PATCHBAY_EXTRA_ENDPOINTS: commaList.pipe(
    z.array(z.url({ protocol: /^https?$/, message: 'each entry of PATCHBAY_EXTRA_ENDPOINTS must be an http(s) URL' })),
  ),
  PATCHBAY_ALLOWED_ORIGINS: commaList.pipe(z.array(origin)),
  PATCHBAY_TLS: z.enum(['auto', 'off'], { message: 'PATCHBAY_TLS must be "auto" or "off"' }).default('auto'),
  PATCHBAY_TLS_CERT: z.string().trim().min(1).optional(),
  PATCHBAY_TLS_KEY: z.string().trim().min(1).optional(),
  PATCHBAY_TRUSTED_PROXIES: commaList.pipe(
    z.array(
      z
        .string()
        .refine(
          (s) => parseAddressRange(s) !== null,
          'each entry of PATCHBAY_TRUSTED_PROXIES must be an IP address or a CIDR range like 10.0.0.0/24',
        ),
    ),
  ),
  PATCHBAY_GRAPHIQL: z.enum(['on', 'off'], { message: 'PATCHBAY_GRAPHIQL must be "on" or "off"' }).default('on'),
  PATCHBAY_SESSION_IDLE_MINUTES: int('PATCHBAY_SESSION_IDLE_MINUTES', 1, 24 * 60).default(30),
  PATCHBAY_SESSION_ABSOLUTE_HOURS: int('PATCHBAY_SESSION_ABSOLUTE_HOURS', 1, 24 * 30).default(12),
  PATCHBAY_APPLIANCE: z.enum(['demo', 'command'], { message: 'PATCHBAY_APPLIANCE must be "demo" or "command"' }).default('demo'),
  PATCHBAY_DEMO_CALL_INTERVAL_MS: int('PATCHBAY_DEMO_CALL_INTERVAL_MS', 0, 3_600_000).default(5000),
  PATCHBAY_DEMO_SIP_PORT: int('PATCHBAY_DEMO_SIP_PORT', 0, 65535).default(0),
  PATCHBAY_APPLIANCE_START_COMMAND: command('PATCHBAY_APPLIANCE_START_COMMAND').optional(),
  PATCHBAY_APPLIANCE_STOP_COMMAND: command('PATCHBAY_APPLIANCE_STOP_COMMAND').optional(),
  PATCHBAY_APPLIANCE_HEALTH_URL: z.url({ message: 'PATCHBAY_APPLIANCE_HEALTH_URL must be an http(s) URL' }).optional(),
  PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND: command('PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND').optional(),
  PATCHBAY_APPLIANCE_DRAIN_COMMAND: command('PATCHBAY_APPLIANCE_DRAIN_COMMAND').optional(),
  PATCHBAY_APPLIANCE_UNDRAIN_COMMAND: command('PATCHBAY_APPLIANCE_UNDRAIN_COMMAND').optional(),
  PATCHBAY_INSTALL_HEALTH_TIMEOUT_SECONDS: int('PATCHBAY_INSTALL_HEALTH_TIMEOUT_SECONDS', 5, 3600).default(60),
  PATCHBAY_TIME_ZONE: z
    .string()
    .trim()
    .refine((s) => ianaZoneName(s) !== null, 'PATCHBAY_TIME_ZONE must be an IANA time zone such as Europe/Berlin')
    .transform((s) => ianaZoneName(s)!)
    .optional(),
  PATCHBAY_LOG_LEVEL: z
    .enum(['debug', 'info', 'warn', 'error'], { message: 'PATCHBAY_LOG_LEVEL must be debug, info, warn or error' })
    .default('info'),
});

/** Parses the environment; throws ConfigError listing every problem at once. */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): Readonly<Config> {
  // Empty strings mean "unset", as in most shells' `VAR= command` usage.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => (i.path.length ? `${String(i.path[0])}: ${i.message}` : i.message)));
  }
  const e = parsed.data;
  const problems: string[] = [];
  let appliance: ApplianceConfig;
  if (e.PATCHBAY_APPLIANCE === 'command') {
    if (!e.PATCHBAY_APPLIANCE_START_COMMAND) problems.push('PATCHBAY_APPLIANCE_START_COMMAND is required when PATCHBAY_APPLIANCE=command');
    if (!e.PATCHBAY_APPLIANCE_STOP_COMMAND) problems.push('PATCHBAY_APPLIANCE_STOP_COMMAND is required when PATCHBAY_APPLIANCE=command');
    if (!e.PATCHBAY_APPLIANCE_HEALTH_URL) problems.push('PATCHBAY_APPLIANCE_HEALTH_URL is required when PATCHBAY_APPLIANCE=command');
    const calls = {
      PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND: e.PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND,
      PATCHBAY_APPLIANCE_DRAIN_COMMAND: e.PATCHBAY_APPLIANCE_DRAIN_COMMAND,
      PATCHBAY_APPLIANCE_UNDRAIN_COMMAND: e.PATCHBAY_APPLIANCE_UNDRAIN_COMMAND,
    };
    const unset = Object.entries(calls).filter(([, v]) => !v);
    // Half a drain is worse than none: an installation would wait on a count it cannot undo, or the reverse.
    if (unset.length > 0 && unset.length < 3) {
      problems.push(
        `the call commands go together: set all of ${Object.keys(calls).join(', ')} or none (missing ${unset.map(([k]) => k).join(', ')})`,
      );
    }
    appliance = {
      kind: 'command',
      startCommand: e.PATCHBAY_APPLIANCE_START_COMMAND ?? [],
      stopCommand: e.PATCHBAY_APPLIANCE_STOP_COMMAND ?? [],
      healthUrl: e.PATCHBAY_APPLIANCE_HEALTH_URL ?? '',
      callCommands:
        calls.PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND && calls.PATCHBAY_APPLIANCE_DRAIN_COMMAND && calls.PATCHBAY_APPLIANCE_UNDRAIN_COMMAND
          ? {
              activeCalls: calls.PATCHBAY_APPLIANCE_ACTIVE_CALLS_COMMAND,
              drain: calls.PATCHBAY_APPLIANCE_DRAIN_COMMAND,
              undrain: calls.PATCHBAY_APPLIANCE_UNDRAIN_COMMAND,
            }
          : null,
    };
  } else {
    appliance = { kind: 'demo', callIntervalMs: e.PATCHBAY_DEMO_CALL_INTERVAL_MS, sipPort: e.PATCHBAY_DEMO_SIP_PORT };
  }
  if (!e.PATCHBAY_TLS_CERT !== !e.PATCHBAY_TLS_KEY) problems.push('PATCHBAY_TLS_CERT and PATCHBAY_TLS_KEY must be set together');
  if (e.PATCHBAY_TLS === 'off' && e.PATCHBAY_TLS_CERT) problems.push('PATCHBAY_TLS=off contradicts PATCHBAY_TLS_CERT: choose one');
  if (problems.length) throw new ConfigError(problems);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    home: path.resolve(cwd, e.PATCHBAY_HOME),
    adminPassword: e.PATCHBAY_ADMIN_PASSWORD ?? null,
    feed: e.PATCHBAY_FEED ? (/^https?:/i.test(e.PATCHBAY_FEED) ? e.PATCHBAY_FEED : path.resolve(cwd, e.PATCHBAY_FEED)) : null,
    feedRoot: e.PATCHBAY_FEED_ROOT ? path.resolve(cwd, e.PATCHBAY_FEED_ROOT) : null,
    extraEndpoints: e.PATCHBAY_EXTRA_ENDPOINTS,
    licenceKeys: e.PATCHBAY_LICENCE_KEYS ? path.resolve(cwd, e.PATCHBAY_LICENCE_KEYS) : null,
    allowedOrigins: e.PATCHBAY_ALLOWED_ORIGINS,
    tls: {
      mode: e.PATCHBAY_TLS,
      certFile: e.PATCHBAY_TLS_CERT ? path.resolve(cwd, e.PATCHBAY_TLS_CERT) : null,
      keyFile: e.PATCHBAY_TLS_KEY ? path.resolve(cwd, e.PATCHBAY_TLS_KEY) : null,
    },
    trustedProxies: e.PATCHBAY_TRUSTED_PROXIES,
    graphiql: e.PATCHBAY_GRAPHIQL === 'on',
    sessionIdleMinutes: e.PATCHBAY_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.PATCHBAY_SESSION_ABSOLUTE_HOURS,
    appliance,
    installHealthTimeoutSeconds: e.PATCHBAY_INSTALL_HEALTH_TIMEOUT_SECONDS,
    timeZone: e.PATCHBAY_TIME_ZONE ?? null,
    logLevel: e.PATCHBAY_LOG_LEVEL,
  });
}
