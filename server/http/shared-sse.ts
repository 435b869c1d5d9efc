/**
 * One serialization and one encoding per shared result over SSE. yoga's SSE response writes each
 * subscriber's event with its own JSON.stringify and two encodings (`event: next\n`, then
 * `data: …\n\n`); subscribers that share an execution (`shared-subscriptions.ts`) receive the same
 * result object, so its whole `event: next` chunk is made once, kept while the result lives, and
 * enqueued as it is into every response it goes to: one write per event per response instead of two.
 *
 * The bytes are yoga's (5.x, `plugins/result-processor/sse.js`): the same headers and status, the
 * `:` ping first and every 12 s (300 ms under NODE_ENV=test), `event: next` with the result less
 * its internals (`http` extensions, `unexpected`), `event: complete` at the end, a failed source
 * erroring the stream, and a cancelled response returning the source. Only a streamed result (a
 * subscription) takes this path: a single result over SSE (a refusal, a query) stays with yoga's.
 *
 * Each encoding is announced on the diagnostics channel `SSE_CHUNKS_CHANNEL` (nothing is built
 * when nobody listens), so that tests and benchmarks can count them.
 */
import { channel } from 'node:diagnostics_channel';
import { type ExecutionResult, GraphQLError } from 'graphql';
import { createGraphQLError, getSSEProcessor, isAsyncIterable, type Plugin } from 'graphql-yoga';

export const SSE_CHUNKS_CHANNEL = 'patchbay:sse-chunk-encoded';

/** What `SSE_CHUNKS_CHANNEL` carries for each result encoded. */
export interface SseChunkEncoded {
  result: ExecutionResult;
}

const encodings = channel(SSE_CHUNKS_CHANNEL);

type YogaResult = ExecutionResult & { stringify?: (result: ExecutionResult) => string };

/**
 * yoga's SSE processor is a closure of its own plugin, so the one it chose for a response is told
 * by its name. A yoga whose processor has none would leave every response with yoga's: refuse it.
 */
const YOGA_SSE_NAME = getSSEProcessor().name;
if (!YOGA_SSE_NAME) throw new Error("graphql-yoga's SSE processor has no name to recognise it by");

const encoder = new TextEncoder();
const PING = encoder.encode(':\n\n');
const COMPLETE = encoder.encode('event: complete\ndata:\n\n');
const HEADERS = { 'Content-Type': 'text/event-stream', Connection: 'keep-alive', 'Cache-Control': 'no-cache', 'Content-Encoding': 'none' };

/** An error as yoga sends it: without `http` and `unexpected` in its extensions, its cause likewise. */
function withoutInternals(err: unknown): unknown {
  if (!(err instanceof GraphQLError)) return err;
  const { http: _http, unexpected: _unexpected, ...extensions } = err.toJSON().extensions ?? {};
  return createGraphQLError(err.message, {
    nodes: err.nodes,
    source: err.source,
    positions: err.positions,
    path: err.path,
    originalError: withoutInternals(err.originalError ?? undefined) as Error | undefined,
    extensions: Object.keys(extensions).length ? extensions : undefined,
  });
}

/** The result's JSON exactly as yoga's SSE processor writes it. */
function resultJson(result: YogaResult): string {
  let sent: ExecutionResult = result;
  if (result.errors?.length || result.extensions?.http) {
    sent = { ...result };
    if (sent.errors) sent.errors = sent.errors.map(withoutInternals) as GraphQLError[];
    if (sent.extensions) {
      const { http: _http, ...extensions } = result.extensions as Record<string, unknown>;
      sent.extensions = Object.keys(extensions).length ? extensions : undefined;
    }
  }
  return (result.stringify ?? JSON.stringify)(sent);
}

/** The `event: next` chunk of each result, made by its first response; gone with the result. */
const chunks = new WeakMap<ExecutionResult, Uint8Array>();

function nextChunk(result: ExecutionResult): Uint8Array {
  let chunk = chunks.get(result);
  if (!chunk) {
    if (encodings.hasSubscribers) encodings.publish({ result } satisfies SseChunkEncoded);
    chunks.set(result, (chunk = encoder.encode(`event: next\ndata: ${resultJson(result)}\n\n`)));
  }
  return chunk;
}

interface FetchApi {
  ReadableStream: typeof ReadableStream;
  Response: typeof Response;
}

/** The SSE response of a stream of results, as yoga's, with each result's chunk shared. */
export function sharedSseResponse(results: AsyncIterable<ExecutionResult>, fetchAPI: FetchApi): Response {
  const pingIntervalMs = globalThis.process?.env?.['NODE_ENV'] === 'test' ? 300 : 12_000;
  const iterator = results[Symbol.asyncIterator]();
  let pings: ReturnType<typeof setInterval> | undefined;
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      // First a ping: some browsers stall the fetch until something is streamed after the headers.
      controller.enqueue(PING);
      pings = setInterval(() => {
        // `null` is errored; `0` is backpressure or closed, not an end.
        if (controller.desiredSize === null) return clearInterval(pings);
        if (controller.desiredSize > 0) controller.enqueue(PING);
      }, pingIntervalMs);
    },
    pull(controller) {
      return iterator.next().then(
        (next) => {
          if (next.value != null) controller.enqueue(nextChunk(next.value));
          if (next.done) {
            controller.enqueue(COMPLETE);
            clearInterval(pings);
            controller.close();
          }
        },
        (err: unknown) => controller.error(err),
      );
    },
    async cancel(reason) {
      clearInterval(pings);
      await iterator.return?.(reason);
    },
  });
  return new fetchAPI.Response(body, { status: 200, headers: { ...HEADERS } });
}

/** Puts `sharedSseResponse` in the place of yoga's SSE processor for streamed results. */
export function sharedSsePlugin(): Plugin {
  return {
    onResultProcess({ result, resultProcessor, setResultProcessor }) {
      if (resultProcessor?.name !== YOGA_SSE_NAME || !isAsyncIterable(result)) return;
      setResultProcessor(
        (streamed, fetchAPI) => sharedSseResponse(streamed as AsyncIterable<ExecutionResult>, fetchAPI),
        'text/event-stream',
      );
    },
  };
}
