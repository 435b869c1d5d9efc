import { GraphQLError, type ExecutionResult } from 'graphql';
import { stringifyMessage, MessageType } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { frameReplacer, sharedPayload, splicedFrame } from '../../server/http/shared-frames.js';

/** The frame graphql-ws's server writes for a result, without and with the shared payload. */
function frames(id: string, result: ExecutionResult) {
  const { errors, ...withoutErrors } = result;
  const own = stringifyMessage({
    id,
    type: MessageType.Next,
    payload: { ...withoutErrors, ...(errors ? { errors: errors.map((e) => e.toJSON()) } : {}) } as never,
  });
  const shared = splicedFrame(
    stringifyMessage({ id, type: MessageType.Next, payload: sharedPayload(result) as never }, frameReplacer as never),
  );
  return { own, shared };
}

describe('splicedFrame', () => {
  it('gives exactly the bytes graphql-ws writes for a result', () => {
    const result = { data: { updateProgress: { state: 'DOWNLOADING', bytesDone: 42, secondsLeft: null, note: 'ä "quoted" \u0000' } } };
    const { own, shared } = frames('3f2c-a', result);
    expect(shared).toBe(own);
  });

  it('gives exactly those bytes for a result with errors, which go last, each by its toJSON', () => {
    const result: ExecutionResult = {
      errors: [new GraphQLError('refused', { extensions: { code: 'FORBIDDEN' } })],
      data: { updateProgress: null },
      extensions: { cost: 3 },
    };
    const { own, shared } = frames('1', result);
    expect(shared).toBe(own);
  });

  it('splices one result into the frames of many subscriptions, serialized once', () => {
    const result = { data: { n: 1 } };
    expect(sharedPayload(result)).toBe(sharedPayload(result));
    for (const id of ['a', 'b', 'c']) expect(frames(id, result).shared).toBe(`{"id":"${id}","type":"next","payload":{"data":{"n":1}}}`);
  });

  it('splices the right payload after a frame that was stringified but never sent (its socket closed)', () => {
    stringifyMessage({ id: 'gone', type: MessageType.Next, payload: sharedPayload({ data: { n: 1 } }) as never }, frameReplacer as never);
    const ack = stringifyMessage({ type: MessageType.ConnectionAck }, frameReplacer as never);
    expect(splicedFrame(ack)).toBe('{"type":"connection_ack"}');
    expect(frames('next', { data: { n: 2 } }).shared).toBe('{"id":"next","type":"next","payload":{"data":{"n":2}}}');
  });

  it('leaves a frame without a shared payload as it is', () => {
    const frame = stringifyMessage({ id: 'x', type: MessageType.Complete }, frameReplacer as never);
    expect(splicedFrame(frame)).toBe('{"id":"x","type":"complete"}');
  });
});
