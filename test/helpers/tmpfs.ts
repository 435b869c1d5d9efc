/**
 * A real full disk for tests: a small tmpfs mounted where a test wants one. Mounting needs root
 * (and a kernel that lets this process mount), which is decided once, when the tests are collected.
 */
import { execFileSync } from 'node:child_process';

/** Mounts a tmpfs of `size` (e.g. `8m`) at `dir`; says whether it could. */
export function mountTmpfs(dir: string, size: string): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // Not permitted here (a container without CAP_SYS_ADMIN): the real-disk tests are skipped.
    if ((err as { status?: number }).status !== undefined) return false;
    throw err;
  }
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir]);
}
