/**
 * How fast a backup can go on this disk, when no backup has been measured yet: 64 MiB written
 * with SHA-256 and an fsync, then read back and hashed again, as a backup and its verification do.
 */
import crypto from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

export async function measureCopySpeed(dir: string): Promise<number> {
  await fsp.mkdir(dir, { recursive: true });
  const file = path.join(dir, `.calibration-${process.pid}`);
  // 512 KiB writes, as the backup makes them (larger ones are slower on some virtual machines).
  const chunk = crypto.randomBytes(512 * 1024);
  const total = 128 * chunk.length;
  const started = process.hrtime.bigint();
  const handle = await fsp.open(file, 'w', 0o600);
  try {
    for (let i = 0; i < 128; i++) {
      crypto.createHash('sha256').update(chunk).digest();
      await handle.write(chunk);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  // Verification reads it again and hashes it.
  const hash = crypto.createHash('sha256');
  for await (const piece of (await fsp.open(file, 'r')).createReadStream()) hash.update(piece as Buffer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await fsp.rm(file, { force: true });
  return total / Math.max(seconds, 0.001);
}
