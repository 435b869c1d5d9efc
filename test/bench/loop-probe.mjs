/**
 * Preloaded into the Patchbay process by `npm run bench:realtime` (`node --import`), never by the
 * product: measures the event loop's delay (`monitorEventLoopDelay`, 10 ms resolution) and answers
 * the benchmark on a Unix socket named after this process's pid in BENCH_PROBE_DIR, one JSON line
 * per command: `reset` (a new phase), `read` (p50/p99/max in ms since the last reset), `gc` (a full
 * collection when started with --expose-gc). Without BENCH_PROBE_DIR it does nothing.
 */
import net from 'node:net';
import process from 'node:process';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const dir = process.env.BENCH_PROBE_DIR;
if (dir) {
  const RESOLUTION_MS = 10;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  // The histogram records the time between two firings of its 10 ms timer, so an idle loop reads
  // 10 ms (measured here: min 9.1, p50 10.1): the delay is what exceeds the timer's period, as
  // Elastic's APM agent computes it (discussed in open-telemetry/opentelemetry-js-contrib#2794).
  const ms = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  const commands = {
    reset: () => (histogram.reset(), { reset: true }),
    read: () => ({
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      samples: histogram.count,
    }),
    gc: () => {
      if (typeof globalThis.gc !== 'function') return { gc: false };
      globalThis.gc();
      return { gc: true };
    },
  };
  const server = net.createServer((socket) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const command = commands[buffer.slice(0, i).trim()];
        buffer = buffer.slice(i + 1);
        socket.write(JSON.stringify(command ? command() : { error: 'unknown command' }) + '\n');
      }
    });
    socket.on('error', () => socket.destroy());
  });
  // Never the reason the process stays up.
  server.unref();
  server.listen(path.join(dir, `probe-${process.pid}.sock`));
}
