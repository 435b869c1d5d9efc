/**
 * The sender of `paced-load.ts`, in its own process (forked), so that the benchmark's own work (the
 * feed it serves, its garbage collection) never delays a request or its timing. Told over the IPC
 * channel `{ url, headers, body, rate, seconds, connections }`, it sends `rate` requests a second
 * for `seconds`, request i due at start + i / rate whatever happened to the ones before it, over
 * at most `connections` keep-alive connections (a request due while all are busy waits for one,
 * and that wait counts), and answers `{ latencies }` (ms from each request's due time to the last
 * byte of its answer) or `{ error }` at the first failure or answer that is not 200.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout } from 'node:timers';

function run({ url, headers, body, rate, seconds, connections }) {
  return new Promise((resolve, reject) => {
    // FIFO: every connection takes its turn, so none idles until the server's keep-alive timeout
    // closes it just as a request is written on it (ECONNRESET); the default LIFO leaves most idle.
    const agent = new http.Agent({ keepAlive: true, maxSockets: connections, scheduling: 'fifo' });
    const data = Buffer.from(body);
    const options = { method: 'POST', agent, headers: { ...headers, 'content-length': String(data.length) } };
    const total = Math.round(rate * seconds);
    const latencies = [];
    const start = performance.now();
    const dueAt = (i) => start + (i * 1000) / rate;
    let sent = 0;
    let failed = false;
    const fail = (err) => {
      if (failed) return;
      failed = true;
      agent.destroy();
      reject(err);
    };
    const answered = () => {
      if (!failed && latencies.length === total) {
        agent.destroy();
        resolve(latencies);
      }
    };
    const send = (due) => {
      const req = http.request(url, options, (res) => {
        res.on('data', () => {});
        res.on('error', fail);
        res.on('end', () => {
          if (res.statusCode !== 200) return fail(new Error(`HTTP ${res.statusCode}`));
          latencies.push(performance.now() - due);
          answered();
        });
      });
      req.on('error', fail);
      req.end(data);
    };
    // Everything due by now goes out, then a sleep until the next one is due.
    const tick = () => {
      if (failed) return;
      for (; sent < total && dueAt(sent) <= performance.now(); sent++) send(dueAt(sent));
      if (sent < total) setTimeout(tick, Math.max(0, dueAt(sent) - performance.now()));
    };
    tick();
  });
}

process.on('message', (task) => {
  run(task).then(
    (latencies) => process.send({ latencies }),
    (err) => process.send({ error: String(err?.message ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
