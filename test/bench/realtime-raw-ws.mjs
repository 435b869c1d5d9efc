/**
 * The raw `ws` baseline of `npm run bench:realtime`, in its own process so that its CPU is read
 * from /proc like Patchbay's: a WebSocket server on 127.0.0.1 that, when told over the IPC channel
 * `{ size, hz, ms }`, sends every connected client the same message of `size` bytes (`{"seq":n,…}`)
 * `hz` times a second for `ms`, then answers `{ done: messages }`.
 */
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
wss.on('listening', () => process.send({ port: wss.address().port }));
process.on('message', ({ size, hz, ms }) => {
  let seq = 0;
  const began = performance.now();
  const tick = () => {
    seq += 1;
    const head = `{"seq":${seq},"pad":"`;
    const message = head + 'x'.repeat(Math.max(0, size - head.length - 2)) + '"}';
    for (const client of wss.clients) client.send(message);
    // On a fixed schedule, as Patchbay's progress events are: a slow send does not lower the rate.
    if (performance.now() - began < ms) setTimeout(tick, Math.max(0, began + (seq * 1000) / hz - performance.now()));
    else process.send({ done: seq });
  };
  tick();
});
process.on('disconnect', () => process.exit(0));
