/**
 * One disruptive operation at a time: an installation (or restore, or crash recovery) and an
 * administrator's backup exclude each other. The lock is taken synchronously, before the first
 * `await` of the use case, so that two requests arriving together cannot both pass the check.
 */
import { OperationInProgressError } from '../domain/errors/index.js';

export type Operation = 'installation' | 'backup';

export class OperationLock {
  private held: Operation | null = null;

  /** Takes the lock, or throws `OperationInProgressError` naming the operation that holds it. Returns its release. */
  acquire(operation: Operation): () => void {
    if (this.held) throw new OperationInProgressError(this.held);
    this.held = operation;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held = null;
    };
  }

  current(): Operation | null {
    return this.held;
  }
}
