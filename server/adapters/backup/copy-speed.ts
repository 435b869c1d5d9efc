/**
 * How fast a backup can go on this disk, when no backup has been measured yet: a 64 MiB file
 * copied by the kernel and fsynced, then it and its copy hashed, as an offline backup and its
 * verification do (with one file, in one lane: a backup of many files runs two).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

const CHUNK = 512 * 1024;
const BYTES = 128 * CHUNK;

export async function measureCopySpeed(dir: string): Promise<number> {
  await fsp.mkdir(dir, { recursive: true });
  const source = path.join(dir, `.calibration-${process.pid}`);
  const copy = `${source}.copy`;
  try {
    // One random chunk written again and again: neither the copy nor SHA-256 goes faster on
    // repeated content, and 64 MiB of randomBytes would hold the event loop for about 0.3 s.
    const chunk = crypto.randomBytes(CHUNK);
    const out = await fsp.open(source, 'w', 0o600);
    try {
      for (let written = 0; written < BYTES; written += CHUNK) await out.write(chunk);
    } finally {
      await out.close();
    }
    const started = process.hrtime.bigint();
    await fsp.copyFile(source, copy);
    const handle = await fsp.open(copy, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    for (const file of [source, copy]) {
      const hash = crypto.createHash('sha256');
      for await (const piece of fs.createReadStream(file, { highWaterMark: 512 * 1024 })) hash.update(piece as Buffer);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return BYTES / Math.max(seconds, 0.001);
  } finally {
    await fsp.rm(source, { force: true });
    await fsp.rm(copy, { force: true });
  }
}
