/**
 * Update jobs: the states a job goes through (a background download, then its installation; or
 * both in one go; or an administrator's restore of a backup), which of them count as active (one
 * active job at a time), the allowed transitions, where a stream that follows a job ends, and the
 * start-time rule. Pure.
 */
export const JOB_STATES = [
  'SCHEDULED',
  'DOWNLOADING',
  'DOWNLOADED',
  'STAGED',
  'INSTALL_SCHEDULED',
  'INSTALLING',
  'RESTORING',
  'SUCCEEDED',
  'CANCELLED',
  'FAILED',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_MODES = ['SEPARATE', 'DOWNLOAD_AND_INSTALL', 'RESTORE'] as const;
export type JobMode = (typeof JOB_MODES)[number];

const FINAL_STATES: readonly JobState[] = ['SUCCEEDED', 'CANCELLED', 'FAILED'];

/** Every state but the final ones: a staged or scheduled job waits for its installation and still holds the one active slot. */
export const ACTIVE_STATES: readonly JobState[] = JOB_STATES.filter((s) => !FINAL_STATES.includes(s));

const TRANSITIONS: Record<JobState, readonly JobState[]> = {
  SCHEDULED: ['DOWNLOADING', 'CANCELLED', 'FAILED'],
  DOWNLOADING: ['DOWNLOADING', 'DOWNLOADED', 'CANCELLED', 'FAILED'],
  // Staged, or INSTALL_SCHEDULED when its installation was planned while it downloaded.
  DOWNLOADED: ['STAGED', 'INSTALL_SCHEDULED', 'CANCELLED', 'FAILED'],
  STAGED: ['INSTALLING', 'INSTALL_SCHEDULED', 'CANCELLED'],
  // A staged job with a planned installation: it starts at its time, is rescheduled, or goes back
  // to STAGED (cancelled by the admin, its AT time missed, or refused when its time came).
  INSTALL_SCHEDULED: ['INSTALLING', 'INSTALL_SCHEDULED', 'STAGED'],
  // Once the appliance is stopped an installation ends installed or restored. Before, while it waits
  // for the calls to end, it can be called off: a staged download is STAGED again, else CANCELLED;
  // a scheduled one whose wait outlasted its window (or Patchbay stopped during it) is planned again.
  INSTALLING: ['RESTORING', 'SUCCEEDED', 'FAILED', 'STAGED', 'CANCELLED', 'INSTALL_SCHEDULED'],
  RESTORING: ['FAILED'],
  SUCCEEDED: [],
  CANCELLED: [],
  FAILED: [],
};

/**
 * A download still on its way. Its installation may already be planned (the plan kept with the
 * job): the job stays in these states and is INSTALL_SCHEDULED, not STAGED, once staged.
 */
export const DOWNLOAD_STATES: readonly JobState[] = ['SCHEDULED', 'DOWNLOADING', 'DOWNLOADED'];

export function isDownloading(state: JobState): boolean {
  return DOWNLOAD_STATES.includes(state);
}

/** Where a staged download goes: INSTALL_SCHEDULED when its installation was planned meanwhile, else STAGED. */
export function stagedState(planned: boolean): Extract<JobState, 'STAGED' | 'INSTALL_SCHEDULED'> {
  return planned ? 'INSTALL_SCHEDULED' : 'STAGED';
}

export function canMove(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isActive(state: JobState): boolean {
  return ACTIVE_STATES.includes(state);
}

/**
 * The states after which a job publishes nothing more until someone asks for something new: a
 * stream that follows the job (its progress, its restore events) ends with the event that reaches
 * one. SUCCEEDED, FAILED and CANCELLED are final. STAGED ends the download of a job in separate
 * mode: nothing happens to it until an administrator installs it, maybe days later, and that
 * installation is a new request (`install` with the job's id, answered once the job is INSTALLING),
 * followed by a new subscription that starts where the job then stands. Keeping the stream open
 * instead would hold a connection per follower through every maintenance window that waits.
 * INSTALL_SCHEDULED does not end them: its installation starts by itself at its time, not on a new
 * request, so a follower sees it begin.
 * A job closed as RECOVERY_PENDING is FAILED too: only the next start of Patchbay carries it on,
 * and that restart ends every stream anyway.
 */
export const STREAM_END_STATES: readonly JobState[] = ['STAGED', 'SUCCEEDED', 'FAILED', 'CANCELLED'];

export function endsJobStreams(state: JobState): boolean {
  return STREAM_END_STATES.includes(state);
}

/** A little slack for clocks and slow forms: "now" entered a minute ago is still now. */
const PAST_TOLERANCE_MS = 2 * 60_000;
const MAX_AHEAD_MS = 90 * 86_400_000;

/** Why a start time is refused, or null when it is fine. */
export function startTimeProblem(startAt: Date, now: Date): string | null {
  if (Number.isNaN(startAt.getTime())) return 'The start time is not a valid date.';
  if (startAt.getTime() < now.getTime() - PAST_TOLERANCE_MS) return `The start time ${startAt.toISOString()} is in the past.`;
  if (startAt.getTime() > now.getTime() + MAX_AHEAD_MS) return 'The start time is more than 90 days ahead.';
  return null;
}

/** Estimated seconds left at the current rate, or null when it cannot be told yet. */
export function secondsLeft(bytesDone: number, bytesTotal: number, bytesPerSecond: number): number | null {
  if (bytesPerSecond <= 0) return null;
  return Math.max(0, Math.ceil((bytesTotal - bytesDone) / bytesPerSecond));
}
