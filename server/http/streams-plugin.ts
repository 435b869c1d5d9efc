/**
 * The yoga plugin that puts every subscription, over SSE and over WebSocket alike, in the
 * open-streams registry with its principal: one past the credential's cap is answered with
 * TOO_MANY_STREAMS, and a subscription whose credential ends completes at that moment, so that
 * an SSE response ends (`curl -N` returns) and a WebSocket operation is released.
 */
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.js';
import type { Logger } from '../adapters/logger.js';
import { TooManyStreamsError, type TooManySubscriptionsError } from '../domain/errors/index.js';
import type { OpenStreams } from './open-streams.js';

/** A cap refusal as the GraphQL error clients switch on: its code and the cap. */
export function capRefusal(err: TooManyStreamsError | TooManySubscriptionsError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { code: err.code, limit: err.limit } });
}

export function streamsPlugin(streams: OpenStreams, logger: Logger): Plugin<Context> {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const principal = (args.contextValue as Context).principal;
        // Without a principal the subscription field's guard refuses it; there is nothing to follow.
        if (!principal) return subscribeFn(args);
        const ending = new AbortController();
        let release: () => void;
        try {
          release = streams.open(principal, () => ending.abort());
        } catch (err) {
          if (err instanceof TooManyStreamsError) return { errors: [capRefusal(err)] };
          throw err;
        }
        try {
          const result = await subscribeFn(args);
          if (!isAsyncIterable(result)) {
            release();
            return result;
          }
          return endable(result, ending.signal, release, (err) =>
            logger.error('a subscription did not stop after it ended', { err }),
          ) as AsyncGenerator<ExecutionResult>;
        } catch (err) {
          release();
          throw err;
        }
      });
    },
  };
}

/**
 * The source stream, ending (done) when `signal` aborts; `onEnd` runs once, however it ends. The
 * source's `return` is not awaited: a generator suspended on its next event takes it only then,
 * and the consumer (an SSE response, a closing socket) must not wait for that. The `next` that
 * waits when it aborts is answered done at once; no promise is raced per event (a race per event
 * would also leave one reaction per event on the abort until the stream ends).
 */
function endable<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
  onEnd: () => void,
  onReturnFailed: (err: unknown) => void,
): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let finished = false;
  /** Answers the `next` in flight, if any: done when the stream ends before its event. */
  let answerWaiting: ((result: IteratorResult<T>) => void) | null = null;
  const finish = () => {
    if (finished) return;
    finished = true;
    onEnd();
    answerWaiting?.(done);
    answerWaiting = null;
    Promise.resolve(iterator.return?.()).catch(onReturnFailed);
  };
  if (signal.aborted) finish();
  else signal.addEventListener('abort', finish, { once: true });
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next() {
      if (finished) return Promise.resolve(done);
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        answerWaiting = resolve;
        iterator.next().then(
          (next) => {
            if (finished) return resolve(done);
            answerWaiting = null;
            if (next.done) finish();
            resolve(next);
          },
          (err: unknown) => {
            answerWaiting = null;
            finish();
            reject(err);
          },
        );
      });
    },
    async return() {
      finish();
      return done;
    },
    async throw(err: unknown) {
      finish();
      throw err;
    },
  };
}
