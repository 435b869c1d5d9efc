/**
 * SHA-256 of the chunks a copy moves, in a worker thread, so that hashing (about 0.65 s per GB on
 * these machines) runs on the second core while the main thread keeps reads and writes going.
 * Plain JavaScript for the same reason as `sqlite-worker-thread.mjs`; `chunk-hasher.ts` is its client.
 *
 * The chunks live in a SharedArrayBuffer (workerData.shared): the main thread only names them.
 * In: { id, op: 'update', file, offset, length } | { id, op: 'digest', file }.
 * Out: { id } once a chunk is hashed (its slot may be reused), { id, sha256 } for a digest.
 */
import { Buffer } from 'node:buffer';
import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';

const shared = Buffer.from(workerData.shared);
const hashes = new Map();

parentPort.on('message', (message) => {
  let hash = hashes.get(message.file);
  if (!hash) {
    hash = crypto.createHash('sha256');
    hashes.set(message.file, hash);
  }
  if (message.op === 'update') {
    hash.update(shared.subarray(message.offset, message.offset + message.length));
    parentPort.postMessage({ id: message.id });
  } else {
    hashes.delete(message.file);
    parentPort.postMessage({ id: message.id, sha256: hash.digest('hex') });
  }
});
