/**
 * Speaking GraphQL to a real app the way clients do: HTTP with a cookie jar or a bearer token,
 * graphql-ws over a real WebSocket (with chosen Origin and cookie headers), and SSE.
 */
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import type { Dispatcher } from 'undici';
import WebSocket from 'ws';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
  headers: Headers;
}

export class HttpClient {
  cookie: string | null = null;
  bearer: string | null = null;
  /** The Origin sent; null sends the app's own whenever the cookie goes along, as a browser page does. */
  origin: string | null = null;
  /** Over HTTPS with a test certificate: an undici Agent that trusts it. */
  dispatcher: Dispatcher | null = null;

  constructor(readonly baseUrl: string) {}

  /** The credential and Origin headers of this client, as a browser page of the app (or a script with a token) sends them. */
  credentialHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    const origin = this.origin ?? (this.cookie ? new URL(this.baseUrl).origin : null);
    if (origin) headers.origin = origin;
    return headers;
  }

  async query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...this.credentialHeaders(),
    };
    const init = {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
      ...(this.dispatcher && { dispatcher: this.dispatcher }),
    };
    const res = await fetch(`${this.baseUrl}/graphql`, init as RequestInit);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, value] = pair!.split('=');
      if (name === 'patchbay_session') this.cookie = value ? `${name}=${value}` : null;
    }
    const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
    return { ...body, status: res.status, headers: res.headers };
  }

  /** A GraphQL multipart request (file uploads, as the SPA's licence import), with the header the server asks of such bodies. */
  async multipart<T = Record<string, unknown>>(query: string, files: Record<string, File>): Promise<GraphQLResponse<T>> {
    const names = Object.keys(files);
    const form = new FormData();
    form.append('operations', JSON.stringify({ query, variables: Object.fromEntries(names.map((n) => [n, null])) }));
    form.append('map', JSON.stringify(Object.fromEntries(names.map((n, i) => [i, [`variables.${n}`]]))));
    names.forEach((n, i) => form.append(String(i), files[n]!));
    const headers = { ...this.credentialHeaders(), 'x-patchbay-csrf': '1' };
    const init = { method: 'POST', headers, body: form, ...(this.dispatcher && { dispatcher: this.dispatcher }) };
    const res = await fetch(`${this.baseUrl}/graphql`, init as RequestInit);
    const body = (await res.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
    return { ...body, status: res.status, headers: res.headers };
  }

  async login(username: string, password: string): Promise<GraphQLResponse> {
    return this.query(
      `mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { __typename ... on LoginSuccess { expiresAt } ... on Error { code message } ... on LoginThrottledError { retryAfterSeconds } } }`,
      { u: username, p: password },
    );
  }
}

/** Imports a licence file by GraphQL multipart upload, as the Licences page does; throws unless it is accepted. */
export async function importLicenceFile(client: HttpClient, bytes: Uint8Array): Promise<void> {
  const body = await client.multipart<{ importLicence?: { __typename: string } }>(
    'mutation ($f: File!) { importLicence(file: $f) { __typename } }',
    { f: new File([new Uint8Array(bytes)], 'licence.json') },
  );
  if (body.data?.importLicence?.__typename !== 'ImportLicenceSuccess') throw new Error(`licence import failed: ${JSON.stringify(body)}`);
}

export function wsUrl(baseUrl: string): string {
  return baseUrl.replace(/^http/, 'ws') + '/graphql';
}

/** Opens a raw WebSocket and resolves with the HTTP status of a refused upgrade, or 101. */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
    ws.on('upgrade', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', reject);
  });
}

export interface WsOptions {
  connectionParams?: Record<string, unknown>;
  headers?: Record<string, string>;
  on?: ClientOptions['on'];
  /** Over WSS with a test certificate: trust it. */
  ca?: Buffer;
}

/** A graphql-ws client that fails fast (no retries) so tests see refusals. */
export function wsClient(baseUrl: string, options: WsOptions = {}): Client {
  const { headers = {}, ca } = options;
  class HeaderWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers, ca });
    }
  }
  return createClient({
    url: wsUrl(baseUrl),
    webSocketImpl: HeaderWebSocket,
    connectionParams: options.connectionParams,
    retryAttempts: 0,
    lazy: true,
    on: options.on,
  });
}

/** Collects subscription events until `until(events)` holds or the deadline passes. */
export async function collect<T>(
  client: Client,
  query: string,
  until: (events: T[]) => boolean,
  { timeoutMs = 20_000, onStarted }: { timeoutMs?: number; onStarted?: () => void | Promise<void> } = {},
): Promise<T[]> {
  const events: T[] = [];
  const iterator = client.iterate<T>({ query });
  const deadline = Date.now() + timeoutMs;
  let started = false;
  try {
    while (Date.now() < deadline) {
      const next = await Promise.race([
        iterator.next(),
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))),
      ]);
      if (next === 'timeout' || next.done) break;
      if (next.value.errors) throw new Error(JSON.stringify(next.value.errors));
      events.push(next.value.data as T);
      if (!started) {
        started = true;
        await onStarted?.();
      }
      if (until(events)) break;
    }
  } finally {
    await iterator.return?.();
  }
  return events;
}

/** Reads an SSE subscription response (graphql-yoga's "distinct connections" mode). */
export async function sseEvents<T>(
  baseUrl: string,
  query: string,
  headers: Record<string, string>,
  until: (events: T[]) => boolean,
  {
    timeoutMs = 20_000,
    onStarted,
    dispatcher,
  }: { timeoutMs?: number; onStarted?: () => void | Promise<void>; dispatcher?: Dispatcher } = {},
): Promise<{ status: number; events: T[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query }),
    signal: controller.signal,
    ...(dispatcher && { dispatcher }),
  } as RequestInit);
  const events: T[] = [];
  if (!res.ok || !res.body) {
    clearTimeout(timer);
    return { status: res.status, events };
  }
  let started = false;
  try {
    for await (const { data } of sseMessages(res.body)) {
      if (!data) continue;
      events.push(JSON.parse(data) as T);
      if (!started) {
        started = true;
        await onStarted?.();
      }
      if (until(events)) {
        controller.abort();
        return { status: res.status, events };
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { status: res.status, events };
}

/** The messages of an SSE body, each with its event name (`next`, `complete`, or empty for a ping) and its data. */
async function* sseMessages(body: AsyncIterable<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let idx;
    while ((idx = buffer.indexOf('\n\n')) >= 0) {
      const lines = buffer.slice(0, idx).split('\n');
      buffer = buffer.slice(idx + 2);
      const field = (name: string) =>
        lines
          .filter((l) => l.startsWith(`${name}:`))
          .map((l) => l.slice(name.length + 1).trim())
          .join('\n');
      yield { event: field('event'), data: field('data') };
    }
  }
}

/** The `data` of each event of an SSE body, as it arrives; ends with the body. */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  for await (const { data } of sseMessages(body)) if (data) yield data;
}

type Result<T> = Pick<GraphQLResponse<T>, 'data' | 'errors'>;

/** A subscription read to its end: its results, and whether the server ended it before the deadline. */
export interface Followed<T> {
  results: Result<T>[];
  completed: boolean;
}

interface FollowOptions {
  timeoutMs?: number;
  /** Called once, at the first result. */
  onStarted?: () => void | Promise<void>;
}

/** Follows a graphql-ws subscription until the server completes it (or the deadline passes). */
export function followWs<T>(client: Client, query: string, { timeoutMs = 20_000, onStarted }: FollowOptions = {}): Promise<Followed<T>> {
  const results: Result<T>[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      resolve({ results, completed: false });
      unsubscribe();
    }, timeoutMs);
    const unsubscribe = client.subscribe<T>(
      { query },
      {
        next: (result) => {
          results.push(result as Result<T>);
          if (results.length === 1) void onStarted?.();
        },
        error: (err) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
        },
        complete: () => {
          clearTimeout(timer);
          resolve({ results, completed: true });
        },
      },
    );
  });
}

/**
 * Follows an SSE subscription until the server ends the response (or the deadline passes):
 * `completed` only when a `complete` message came and the body ended after it.
 */
export async function followSse<T>(
  baseUrl: string,
  query: string,
  headers: Record<string, string>,
  { timeoutMs = 20_000, onStarted }: FollowOptions = {},
): Promise<Followed<T> & { status: number }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const results: Result<T>[] = [];
  let completeMessage = false;
  try {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    if (!res.ok || !res.body) return { status: res.status, results, completed: false };
    try {
      for await (const { event, data } of sseMessages(res.body)) {
        if (event === 'complete') completeMessage = true;
        if (event !== 'next') continue;
        results.push(JSON.parse(data) as Result<T>);
        if (results.length === 1) await onStarted?.();
      }
    } catch (err) {
      if (!controller.signal.aborted) throw err;
      return { status: res.status, results, completed: false };
    }
    return { status: res.status, results, completed: completeMessage };
  } finally {
    clearTimeout(timer);
  }
}
