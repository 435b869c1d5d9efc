/**
 * A queue with a bounded number of tasks running and waiting. Past both bounds a task is refused at
 * once instead of queued, so a burst costs neither memory nor time beyond the bounds.
 */
export interface QueueBounds {
  maxRunning: number;
  maxWaiting: number;
}

export class BoundedQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly bounds: QueueBounds) {}

  /** Runs `task` when a place to run is free; null at once when every place to run and to wait is taken. */
  tryRun<T>(task: () => Promise<T>): Promise<T> | null {
    if (this.running < this.bounds.maxRunning) {
      this.running += 1;
      return this.execute(task);
    }
    if (this.waiting.length >= this.bounds.maxWaiting) return null;
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.execute(task));
  }

  private async execute<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } finally {
      // The place passes straight to the next waiter, so that no newcomer slips in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
