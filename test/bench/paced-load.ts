/**
 * An open-loop HTTP load at a constant rate, evenly paced: request i is due at start + i / rate,
 * whatever happened to the ones before it, and its latency runs from that due time to the last byte
 * of its answer (the constant-throughput model of wrk2). A server that stalls for 50 ms therefore
 * shows 50 ms of queueing in every request due meanwhile, instead of the sender quietly waiting
 * with it (coordinated omission).
 *
 * Why not autocannon's `overallRate`: it lets each connection send its share as fast as it can at
 * the start of every second (a per-second counter reset by a 1 s interval), so 200 requests/s
 * arrive as one burst of 200 each second; and its coordinated-omission correction assumes an
 * expected interval of 1 ms. Both measure a burst, not a steady rate. autocannon stays for the
 * peak throughput (`peakLoad`), which is what it measures well.
 */
import autocannon from 'autocannon';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Latency {
  p50: number;
  p99: number;
  max: number;
  /** Answers per second: the rate asked for a paced load (every request is answered, or it fails). */
  rps: number;
}

export interface LoadTarget {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/**
 * `rate` requests per second for `seconds`, over at most `connections` keep-alive connections,
 * sent by a child process (`paced-load.mjs`). Rejects on the first error or answer that is not
 * 200: a failing server is not a fast one.
 */
export async function pacedLoad(target: LoadTarget, rate: number, seconds: number, connections = 32): Promise<Latency> {
  const sender = fork(fileURLToPath(new URL('./paced-load.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const answer = await new Promise<{ latencies?: number[]; error?: string }>((resolve, reject) => {
      sender.once('message', (m) => resolve(m as { latencies?: number[]; error?: string }));
      sender.once('exit', (code) => reject(new Error(`the paced sender exited with ${code}`)));
      sender.send({ ...target, rate, seconds, connections });
    });
    if (!answer.latencies) throw new Error(`paced load: ${answer.error}`);
    const latencies = answer.latencies.sort((a, b) => a - b);
    const round = (ms: number) => Math.round(ms * 10) / 10;
    return {
      p50: round(quantile(latencies, 0.5)),
      p99: round(quantile(latencies, 0.99)),
      max: round(latencies[latencies.length - 1]!),
      rps: latencies.length / seconds,
    };
  } finally {
    if (sender.exitCode === null) {
      const exited = new Promise((r) => sender.once('exit', r));
      sender.disconnect();
      await exited;
    }
  }
}

/** The most answers per second `connections` closed-loop connections get (autocannon, no rate limit). */
export async function peakLoad(target: LoadTarget, seconds: number, connections = 10): Promise<Latency> {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections,
    duration: seconds,
  });
  if (result.errors || result.non2xx) throw new Error(`peak load: ${result.errors} errors, ${result.non2xx} answers not 2xx`);
  return { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, rps: result.requests.average };
}
