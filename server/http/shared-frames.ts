/**
 * One serialization per shared result over WebSocket. graphql-ws writes each subscriber's `next`
 * frame with its own JSON.stringify of the whole result; subscribers that share an execution
 * (`shared-subscriptions.ts`) receive the same result object, so its JSON is made once and spliced
 * into each socket's `{"id":…,"type":"next","payload":…}` frame, byte for byte what graphql-ws
 * would have written.
 *
 * How: graphql-ws's `onNext` answers a `SharedPayload` for the result, its `jsonMessageReplacer`
 * puts a placeholder string in its place (so the frame's stringify stops there) and notes the
 * payload's JSON, and the socket's `send` (`FrameSplicingSocket`, the WebSocket class of the
 * server) swaps the placeholder for that JSON. graphql-ws stringifies the frame and hands it to
 * `send` in one synchronous stretch, so the note is that of the frame being sent.
 */
import type { ExecutionResult } from 'graphql';
import { WebSocket } from 'ws';

/** A result's `next` payload, already serialized. */
export class SharedPayload {
  constructor(readonly json: string) {}
}

const PLACEHOLDER = '\u0000patchbay:shared-payload';
/** How the placeholder ends a frame: `"payload"` is the frame's last key. */
const PLACEHOLDER_END = `${JSON.stringify(PLACEHOLDER)}}`;

/** The payload's JSON of the frame being stringified now, until its `send`. */
let pending: string | null = null;

/** The JSON of each result, made by its first subscriber; gone with the result. */
const serialized = new WeakMap<ExecutionResult, SharedPayload>();

/** The payload of a `next` frame exactly as graphql-ws builds it: errors last, each by its toJSON. */
function payloadJson(result: ExecutionResult): string {
  const { errors, ...withoutErrors } = result;
  return JSON.stringify({ ...withoutErrors, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) });
}

/** graphql-ws's `onNext`: the result's payload, serialized once for every socket it goes to. */
export function sharedPayload(result: ExecutionResult): SharedPayload {
  let shared = serialized.get(result);
  if (!shared) serialized.set(result, (shared = new SharedPayload(payloadJson(result))));
  return shared;
}

/** graphql-ws's `jsonMessageReplacer`: a shared payload stands in as the placeholder. */
export function frameReplacer(this: unknown, key: string, value: unknown): unknown {
  if (key === 'payload' && value instanceof SharedPayload) {
    pending = value.json;
    return PLACEHOLDER;
  }
  return value;
}

/**
 * The frame with the noted payload in the placeholder's place; any other frame as it is. Only a
 * frame that ends with the placeholder has one (a payload graphql-ws writes itself is an object),
 * and its note is the latest: a frame stringified for a socket closed meanwhile is never sent, so
 * a note can be left over, and the next frame's stringify overwrites it.
 */
export function splicedFrame(frame: string): string {
  if (!frame.endsWith(PLACEHOLDER_END)) return frame;
  if (pending === null) throw new Error('a frame with the shared-payload placeholder but no payload noted');
  const json = pending;
  pending = null;
  return `${frame.slice(0, frame.length - PLACEHOLDER_END.length)}${json}}`;
}

/** The server's sockets: a text frame is spliced on its way out. */
export class FrameSplicingSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    (super.send as (data: unknown, ...rest: unknown[]) => void)(typeof data === 'string' ? splicedFrame(data) : data, ...rest);
  }
}
