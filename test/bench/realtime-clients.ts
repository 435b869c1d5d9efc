/**
 * The subscribers of `npm run bench:realtime`, all in the benchmark's process and the same for
 * Patchbay and for the raw `ws` baseline: bare WebSockets speaking graphql-transport-ws (no client
 * library between the frame and its arrival time), SSE readers, and the log of who got which
 * event when.
 */
import WebSocket from 'ws';
import { sseData } from '../helpers/graphql-clients.js';

/** Every arrival of every event: keyed by the event's own sequence field (bytes done, a seq number). */
export class ArrivalLog {
  private readonly events = new Map<string, { first: number; last: number; counts: Uint16Array }>();
  private readonly sizes: number[] = [];
  private window: { from: number; to: number } | null = null;
  private recording = false;
  /** Events first seen before the window opened. */
  private readonly before = new Set<string>();
  /** Every frame that arrived while the window was open: what the server's CPU of the window paid for. */
  deliveredInWindow = 0;
  /** Subscribers that received at least one event (the first one: where the job stands). */
  readonly started = new Set<number>();

  constructor(readonly subscribers: number) {}

  record(subscriber: number, key: string, bytes: number): void {
    const at = performance.now();
    this.started.add(subscriber);
    if (this.recording) this.deliveredInWindow += 1;
    let event = this.events.get(key);
    if (!event) {
      // Only events first seen within the window count; later arrivals of those still do (the grace).
      // One on its way when the window opened is not counted at all: it would look partly lost.
      if (!this.recording || this.before.has(key)) {
        if (!this.window) this.before.add(key);
        return;
      }
      event = { first: at, last: at, counts: new Uint16Array(this.subscribers) };
      this.events.set(key, event);
    }
    event.last = at;
    event.counts[subscriber]! += 1;
    if (this.sizes.length < 10_000) this.sizes.push(bytes);
  }

  open(): void {
    this.recording = true;
    this.window = { from: performance.now(), to: 0 };
  }

  close(): void {
    this.recording = false;
    this.window!.to = performance.now();
  }

  summary(): FanOutFigures {
    const spreads: number[] = [];
    let delivered = 0;
    let lost = 0;
    for (const { first, last, counts } of this.events.values()) {
      // Identical events share a key: each subscriber should have it as often as the one that got it most.
      const expected = Math.max(...counts);
      let got = 0;
      for (const c of counts) got += c;
      delivered += got;
      lost += expected * this.subscribers - got;
      if (got === expected * this.subscribers) spreads.push(last - first);
    }
    const seconds = (this.window!.to - this.window!.from) / 1000;
    return {
      subscribers: this.subscribers,
      events: this.events.size,
      eventsPerSecond: this.events.size / seconds,
      delivered,
      lost,
      messageBytes: percentile(this.sizes, 50),
      spreadP50: percentile(spreads, 50),
      spreadP99: percentile(spreads, 99),
    };
  }
}

export interface FanOutFigures {
  subscribers: number;
  events: number;
  eventsPerSecond: number;
  delivered: number;
  lost: number;
  messageBytes: number;
  spreadP50: number;
  spreadP99: number;
}

export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Opens `count` sockets `open(i)` a hundred at a time (the listen backlog of a small server). */
export async function openMany<T>(count: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < count; i += 100) {
    all.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => open(i + j)))));
  }
  return all;
}

/** A graphql-transport-ws connection authenticated with a token, acknowledged by the server. */
export function graphqlWsConnection(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    const refuse = (why: string) => reject(new Error(`graphql-ws connection refused: ${why}`));
    ws.once('error', reject);
    ws.once('close', (code, reason) => refuse(`${code} ${reason.toString()}`));
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    const untilAck = (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type !== 'connection_ack') return;
      // From here on only `subscribe` reads frames: each is parsed once, as the raw clients' are.
      ws.off('message', untilAck);
      ws.removeAllListeners('close');
      resolve(ws);
    };
    ws.on('message', untilAck);
  });
}

/** Subscribes on an acknowledged connection; `onNext` gets each `next` frame's payload and size. */
export function subscribe(
  ws: WebSocket,
  query: string,
  variables: Record<string, unknown>,
  onNext: (payload: unknown, bytes: number) => void,
) {
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; payload?: unknown };
    if (message.type === 'next') onNext(message.payload, data.length);
    else if (message.type === 'error') throw new Error(`subscription error: ${JSON.stringify(message.payload)}`);
  });
  ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
}

/** A plain WebSocket client of the raw baseline. */
export function rawConnection(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close();
        }),
    ),
  );
}

/** An SSE subscription over HTTP with a token; `onNext` gets each event's data; abort() ends it. */
export async function sseSubscription(
  graphqlUrl: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  onNext: (payload: unknown, bytes: number) => void,
): Promise<AbortController> {
  const controller = new AbortController();
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (!res.ok || !res.body) throw new Error(`SSE subscription refused: ${res.status}`);
  const body = res.body;
  void (async () => {
    try {
      for await (const data of sseData(body)) onNext(JSON.parse(data), Buffer.byteLength(data));
    } catch (err) {
      if (!controller.signal.aborted) throw err;
    }
  })();
  return controller;
}
