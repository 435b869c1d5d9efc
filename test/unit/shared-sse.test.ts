import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type ExecutionResult, GraphQLError, parse, Source } from 'graphql';
import { getSSEProcessor } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { SSE_CHUNKS_CHANNEL, sharedSsePlugin, sharedSseResponse } from '../../server/http/shared-sse.js';

const fetchAPI = globalThis as unknown as Parameters<ReturnType<typeof getSSEProcessor>>[1];

async function* stream(results: ExecutionResult[], failure?: Error) {
  yield* results;
  if (failure) throw failure;
}

/** Status, headers and body of a response; a stream that errors gives its error instead of the body. */
async function read(response: Response) {
  const headers = Object.fromEntries(response.headers.entries());
  try {
    return { status: response.status, headers, body: await response.text() };
  } catch (err) {
    return { status: response.status, headers, failed: err };
  }
}

/** The response of yoga's own SSE processor and of `sut` for the same results. */
async function both(results: ExecutionResult[], failure?: Error) {
  const yoga = await read(await getSSEProcessor()(stream(results, failure), fetchAPI, 'text/event-stream'));
  const sut = await read(sharedSseResponse(stream(results, failure), fetchAPI));
  return { yoga, sut };
}

const source = new Source('subscription { updateProgress(jobId: "j") { bytesDone } }');
const document = parse(source);

describe('sharedSseResponse', () => {
  it('writes exactly the bytes, status and headers of yoga for a stream of results', async () => {
    const { yoga, sut } = await both([
      { data: { updateProgress: { state: 'DOWNLOADING', bytesDone: 42, note: 'ä "quoted" \u0000\n' } } },
      { data: { updateProgress: { state: 'DONE', bytesDone: 1000, note: null } } },
    ]);
    expect(sut).toEqual(yoga);
    expect(sut.body).toContain('event: next\ndata: {"data":{"updateProgress":{"state":"DOWNLOADING"');
    expect(sut.body!.endsWith('event: complete\ndata:\n\n')).toBe(true);
  });

  it('writes exactly those bytes for results with errors and extensions, without their internals', async () => {
    const cause = new GraphQLError('inner', { extensions: { code: 'INNER', http: { status: 418 } } });
    const { yoga, sut } = await both([
      {
        data: { updateProgress: null },
        errors: [
          new GraphQLError('refused', {
            nodes: document.definitions[0],
            path: ['updateProgress'],
            extensions: { code: 'FORBIDDEN', http: { status: 403 }, unexpected: true },
          }),
          new GraphQLError('only internals', { source, positions: [15], extensions: { http: { status: 500 } }, originalError: cause }),
          new GraphQLError('plain'),
        ],
        extensions: { cost: 3, http: { headers: { 'x-a': 'b' } } },
      },
      { data: { updateProgress: { bytesDone: 1 } }, extensions: { http: { status: 200 } } },
    ]);
    expect(sut).toEqual(yoga);
    expect(sut.body).not.toContain('http');
    expect(sut.body).not.toContain('unexpected');
  });

  it('errors the stream as yoga does when the source fails', async () => {
    const { yoga, sut } = await both([{ data: { n: 1 } }], new Error('source failed'));
    expect(sut).toEqual(yoga);
    expect((sut.failed as Error).message).toBe('source failed');
  });

  it('returns the source when the response is cancelled', async () => {
    let returned = false;
    const source = {
      [Symbol.asyncIterator]: () => source,
      next: () => new Promise<IteratorResult<ExecutionResult>>(() => {}),
      return: async () => {
        returned = true;
        return { done: true as const, value: undefined };
      },
    };
    const response = sharedSseResponse(source, fetchAPI);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(':\n\n');
    await reader.cancel();
    expect(returned).toBe(true);
  });

  it('encodes a result once however many responses it goes to', async () => {
    const shared: ExecutionResult = { data: { n: 7 } };
    const encoded: unknown[] = [];
    const count = (message: unknown) => encoded.push((message as { result: unknown }).result);
    subscribe(SSE_CHUNKS_CHANNEL, count);
    try {
      const bodies = await Promise.all(Array.from({ length: 5 }, () => read(sharedSseResponse(stream([shared]), fetchAPI))));
      expect(new Set(bodies.map((b) => b.body))).toEqual(
        new Set([':\n\nevent: next\ndata: {"data":{"n":7}}\n\nevent: complete\ndata:\n\n']),
      );
      expect(encoded).toEqual([shared]);
    } finally {
      unsubscribe(SSE_CHUNKS_CHANNEL, count);
    }
  });
});

describe('sharedSsePlugin', () => {
  const processed = (resultProcessor: unknown, result: unknown) => {
    const chosen: unknown[] = [];
    sharedSsePlugin().onResultProcess!({
      result,
      resultProcessor,
      setResultProcessor: (processor: unknown, mediaType: string) => chosen.push(mediaType, processor),
    } as never);
    return chosen;
  };

  it("takes the place of yoga's SSE processor for a streamed result", () => {
    const [mediaType, processor] = processed(getSSEProcessor(), stream([]));
    expect(mediaType).toBe('text/event-stream');
    expect(processor).toBeTypeOf('function');
  });

  it("leaves a single result over SSE, and every other processor, to yoga's", () => {
    expect(processed(getSSEProcessor(), { data: { n: 1 } })).toEqual([]);
    expect(processed(function processRegularResult() {}, stream([]))).toEqual([]);
    expect(processed(undefined, stream([]))).toEqual([]);
  });
});
