/**
 * The urql client: queries and mutations over HTTP (same-origin cookie), subscriptions over
 * graphql-ws, reconnecting forever with capped exponential backoff and jitter. After login or
 * logout the client is replaced, so that no cached data and no socket outlive the session.
 */
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { ref, shallowRef } from 'vue';

export type LiveState = 'connecting' | 'connected' | 'reconnecting';
export const liveState = ref<LiveState>('connecting');

let socket: WsClient | null = null;

function createSocket(): WsClient {
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let connectedOnce = false;
  const ws = createWsClient({
    url: `${protocol}//${location.host}/graphql`,
    lazy: true,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const base = Math.min(10_000, 500 * 2 ** retries);
      await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
    },
  });
  ws.on('connecting', () => {
    liveState.value = connectedOnce ? 'reconnecting' : 'connecting';
  });
  ws.on('connected', () => {
    connectedOnce = true;
    liveState.value = 'connected';
  });
  ws.on('closed', () => {
    if (connectedOnce) liveState.value = 'reconnecting';
  });
  return ws;
}

function createUrqlClient(): Client {
  socket?.dispose();
  socket = createSocket();
  const ws = socket;
  return new Client({
    url: '/graphql',
    // The header lets the licence upload (multipart, a type a cross-site form could send) pass the
    // server's forgery rule; a foreign page cannot set it without a preflight, which is refused.
    fetchOptions: { credentials: 'same-origin', headers: { 'x-patchbay-csrf': '1' } },
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}

export const urqlClient = shallowRef<Client>(createUrqlClient());
/** Bumped at every reset: the pages are keyed on it, so they remount with the new client. */
export const clientGeneration = ref(0);

/** A fresh client (empty cache, new socket carrying the new cookie): call after login and logout. */
export function resetClient(): void {
  liveState.value = 'connecting';
  urqlClient.value = createUrqlClient();
  clientGeneration.value += 1;
}
