/**
 * Progress of a copy, a verification or a restore, per group of files, throttled: at most one
 * event per interval, and always one when a group ends.
 */
export interface TransferProgress {
  phase: 'COPY' | 'VERIFY' | 'RESTORE';
  group: string;
  bytesDone: number;
  bytesTotal: number;
  groupBytesDone: number;
  groupBytesTotal: number;
  groupDone: boolean;
}

export type Progress = (p: TransferProgress) => void;

export class ProgressReporter {
  private bytesDone = 0;
  private readonly groupDone = new Map<string, number>();
  private readonly totals: Map<string, number>;
  private last = 0;

  constructor(
    private readonly phase: TransferProgress['phase'],
    files: readonly { group: string; size: number }[],
    private readonly onProgress: Progress | undefined,
    private readonly intervalMs: number,
  ) {
    this.totals = new Map();
    for (const f of files) this.totals.set(f.group, (this.totals.get(f.group) ?? 0) + f.size);
  }

  add(group: string, n: number): void {
    this.bytesDone += n;
    this.groupDone.set(group, (this.groupDone.get(group) ?? 0) + n);
    const now = performance.now();
    if (now - this.last >= this.intervalMs) {
      this.last = now;
      this.emit(group, false);
    }
  }

  /** A group's total becomes what was really transferred (files can differ from their listing). */
  finishGroup(group: string): void {
    this.totals.set(group, this.groupDone.get(group) ?? 0);
    this.last = performance.now();
    this.emit(group, true);
  }

  private emit(group: string, groupDone: boolean): void {
    if (!this.onProgress) return;
    let bytesTotal = 0;
    for (const t of this.totals.values()) bytesTotal += t;
    this.onProgress({
      phase: this.phase,
      group,
      bytesDone: this.bytesDone,
      bytesTotal: Math.max(bytesTotal, this.bytesDone),
      groupBytesDone: this.groupDone.get(group) ?? 0,
      groupBytesTotal: Math.max(this.totals.get(group) ?? 0, this.groupDone.get(group) ?? 0),
      groupDone,
    });
  }
}
