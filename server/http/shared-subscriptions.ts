/**
 * Shared execution of subscription events, over SSE and WebSocket alike (both run yoga's envelope).
 * Without it, every subscriber's copy of an event is executed on its own: a thousand followers of
 * one job run the same selection a thousand times per progress event.
 *
 * Each subscription still starts on its own: its source stream is created with its own context,
 * so the subscription field's scope check and `nowThenFollow`'s current state run per subscriber,
 * and the open-streams registry (`streams-plugin.ts`, which wraps this) ends it alone when its
 * credential ends. What is shared is the execution of one source event: subscribers with the same
 * document, operation name and variables, and the same authorization class, receive the same
 * result object, executed once — keyed by the event's payload object (the bus hands one object to
 * every subscriber, and a published payload is never changed) and that sharing key.
 *
 * The authorization class is what the field-level checks read of the principal (the auth scopes of
 * `schema/builder.ts`: its scopes and whether it is a session), so that the shared result is the one
 * each of them would have got; the resolvers under a subscription read nothing else of it.
 *
 * Each execution is announced on the diagnostics channel `EXECUTIONS_CHANNEL` (nothing is built
 * when nobody listens), so that tests and benchmarks can count them.
 */
import { channel } from 'node:diagnostics_channel';
import { createSourceEventStream, type DocumentNode, execute, type ExecutionArgs, type ExecutionResult, print } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.js';
import type { Principal } from '../domain/auth.js';

export const EXECUTIONS_CHANNEL = 'patchbay:subscription-event-executed';

/** What `EXECUTIONS_CHANNEL` carries for each execution of a source event. */
export interface EventExecuted {
  key: string;
  payload: unknown;
}

const executions = channel(EXECUTIONS_CHANNEL);

type Executed = ExecutionResult | Promise<ExecutionResult>;

/** What field-level authorization can tell apart of a principal. */
export function authorizationClass(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  return `${principal.kind}:${[...principal.scopes].sort().join(',')}`;
}

/** Variables with their keys sorted, so that the same values give the same key. */
function stableJson(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

export function sharedSubscriptionsPlugin(): Plugin<Context> {
  /** yoga's parser cache hands out one document per query text: printed once. */
  const printed = new WeakMap<DocumentNode, string>();
  /** Per source payload, per sharing key: its result. Gone with the payload. */
  const results = new WeakMap<object, Map<string, Executed>>();

  const sharingKey = (args: ExecutionArgs) => {
    let text = printed.get(args.document);
    if (text === undefined) printed.set(args.document, (text = print(args.document)));
    const principal = (args.contextValue as Context).principal;
    return [authorizationClass(principal), args.operationName ?? '', stableJson(args.variableValues ?? {}), text].join('\n');
  };

  const executeOnce = (args: ExecutionArgs, key: string, payload: unknown): Executed => {
    const run = () => {
      if (executions.hasSubscribers) executions.publish({ key, payload } satisfies EventExecuted);
      return execute({ ...args, rootValue: payload });
    };
    if (typeof payload !== 'object' || payload === null) return run();
    let byKey = results.get(payload);
    if (!byKey) results.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = run()));
    return result;
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const source = await createSourceEventStream(args);
        if (!isAsyncIterable(source)) return source;
        const key = sharingKey(args);
        const iterator = source[Symbol.asyncIterator]();
        const mapped: AsyncIterableIterator<ExecutionResult> = {
          [Symbol.asyncIterator]: () => mapped,
          async next() {
            const next = await iterator.next();
            if (next.done) return { done: true, value: undefined };
            return { done: false, value: await executeOnce(args, key, next.value) };
          },
          async return() {
            await iterator.return?.();
            return { done: true, value: undefined };
          },
          async throw(err: unknown) {
            await iterator.return?.();
            throw err;
          },
        };
        return mapped;
      });
    },
  };
}
