/**
 * Subscriptions held open the way clients hold them, over either transport behind one shape, so
 * that a test runs the same cases over WebSocket (graphql-ws) and over SSE: what arrived, and how
 * the stream ended (a close code, a completion, an `error` message).
 */
import type { FormattedExecutionResult } from 'graphql';
import { sseData, wsClient } from './graphql-clients.js';

export type StreamCredential = { cookie: string } | { token: string };

export type StreamEnding = { kind: 'closed'; code: number } | { kind: 'completed' } | { kind: 'failed'; codes: (string | undefined)[] };

export interface OpenStream {
  readonly results: FormattedExecutionResult[];
  /** Settles when the stream ends, however it ends. */
  readonly ended: Promise<StreamEnding>;
  isEnded(): boolean;
  /** Resolves once `count` results have arrived; rejects after `timeoutMs`. */
  received(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** What carries subscriptions of one credential: a WebSocket, or (SSE) one request per subscription. */
export interface StreamCarrier {
  open(query: string, variables?: Record<string, unknown>): Promise<OpenStream>;
  /** Whether the carrier itself was closed (a WebSocket's close); SSE has none to close. */
  isClosed(): boolean;
  dispose(): Promise<void>;
}

export interface StreamTransport {
  name: 'WebSocket' | 'SSE';
  /** How a stream of this transport ends when its credential ends. */
  endedWithCredential: StreamEnding;
  connect(baseUrl: string, credential: StreamCredential): StreamCarrier;
}

/** The error codes a refused subscription was answered with: an `error` message, or a result with errors. */
export function refusalCodes(stream: OpenStream, ending: StreamEnding): (string | undefined)[] {
  if (ending.kind === 'failed') return ending.codes;
  return stream.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code as string | undefined));
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function openStream(start: (push: (r: FormattedExecutionResult) => void, end: (e: StreamEnding) => void) => () => Promise<void>) {
  const results: FormattedExecutionResult[] = [];
  const ending = deferred<StreamEnding>();
  let ended = false;
  const waiters = new Set<() => void>();
  const close = start(
    (result) => {
      results.push(result);
      for (const w of waiters) w();
    },
    (e) => {
      ended = true;
      ending.resolve(e);
    },
  );
  const stream: OpenStream = {
    results,
    ended: ending.promise,
    isEnded: () => ended,
    received(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (results.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`received ${results.length} of ${count} results: ${JSON.stringify(results)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close,
  };
  return stream;
}

export interface WsConnection {
  subscribe(query: string, variables?: Record<string, unknown>): OpenStream;
  /** The close code, once the socket closed. */
  readonly closed: Promise<number>;
  dispose(): Promise<void>;
}

/** One graphql-ws socket with this credential (a cookie comes from a page of the server's own origin). */
export function wsConnection(baseUrl: string, credential: StreamCredential): WsConnection {
  const closed = deferred<number>();
  const client = wsClient(baseUrl, {
    ...('cookie' in credential
      ? { headers: { cookie: credential.cookie, origin: baseUrl } }
      : { connectionParams: { authorization: `Bearer ${credential.token}` } }),
    on: { closed: (event) => closed.resolve((event as { code: number }).code) },
  });
  return {
    closed: closed.promise,
    subscribe: (query, variables) =>
      openStream((push, end) => {
        const unsubscribe = client.subscribe<Record<string, unknown>>(
          { query, variables },
          {
            next: (result) => push(result as FormattedExecutionResult),
            error: (err) =>
              end(
                Array.isArray(err)
                  ? { kind: 'failed', codes: err.map((e: { extensions?: { code?: string } }) => e.extensions?.code) }
                  : { kind: 'closed', code: (err as { code: number }).code },
              ),
            complete: () => end({ kind: 'completed' }),
          },
        );
        return async () => unsubscribe();
      }),
    dispose: () => client.dispose() as Promise<void>,
  };
}

/** One SSE subscription (yoga's distinct-connections mode); a refused one answers with a single result. */
export async function sseStream(
  baseUrl: string,
  credential: StreamCredential,
  query: string,
  variables?: Record<string, unknown>,
): Promise<OpenStream> {
  const controller = new AbortController();
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
  if ('cookie' in credential) Object.assign(headers, { cookie: credential.cookie, origin: baseUrl });
  else headers.authorization = `Bearer ${credential.token}`;
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  return openStream((push, end) => {
    void (async () => {
      try {
        if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
          push((await res.json()) as FormattedExecutionResult);
        } else {
          for await (const data of sseData(res.body!)) push(JSON.parse(data) as FormattedExecutionResult);
        }
        end({ kind: 'completed' });
      } catch (err) {
        if (!controller.signal.aborted) throw err;
        end({ kind: 'closed', code: 0 });
      }
    })();
    return async () => controller.abort();
  });
}

export const TRANSPORTS: StreamTransport[] = [
  {
    name: 'WebSocket',
    endedWithCredential: { kind: 'closed', code: 4401 },
    connect(baseUrl, credential) {
      const connection = wsConnection(baseUrl, credential);
      let closed = false;
      void connection.closed.then(() => (closed = true));
      return {
        open: async (query, variables) => connection.subscribe(query, variables),
        isClosed: () => closed,
        dispose: () => connection.dispose(),
      };
    },
  },
  {
    name: 'SSE',
    endedWithCredential: { kind: 'completed' },
    connect(baseUrl, credential) {
      const opened: OpenStream[] = [];
      return {
        open: async (query, variables) => {
          const stream = await sseStream(baseUrl, credential, query, variables);
          opened.push(stream);
          return stream;
        },
        isClosed: () => false,
        dispose: async () => void (await Promise.all(opened.map((s) => s.close()))),
      };
    },
  },
];
