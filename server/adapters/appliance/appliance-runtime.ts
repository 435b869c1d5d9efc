/**
 * The contract between Patchbay and the product it updates. Two implementations exist: a
 * supervised child process (the embedded demo appliance and the tests) and configured commands
 * for a real appliance (`systemctl stop …`, a health URL). Services depend on this interface only.
 */
export interface ApplianceHealth {
  /** The health endpoint answered 2xx and said it is healthy. */
  healthy: boolean;
  /** The product's own "telephony available" flag (false while it is starting or degraded). */
  telephonyAvailable: boolean;
  /** Version reported by the product, when it reports one. */
  version: string | null;
  /** Why it is not healthy (connection refused, HTTP 503, timeout…); null when healthy. */
  detail: string | null;
}

export interface ApplianceExit {
  code: number | null;
  signal: string | null;
}

export interface ApplianceRuntime {
  /** Starts the product; resolves once it has been launched (health is checked separately). */
  start(): Promise<void>;
  /** Stops the product gracefully (SIGTERM, then SIGKILL after a grace period); idempotent. */
  stop(): Promise<void>;
  /** One health probe with a timeout; never throws. */
  health(): Promise<ApplianceHealth>;
  /** Registers a listener for exits that nobody asked for (a crash); returns an unsubscribe function. */
  onUnexpectedExit(listener: (exit: ApplianceExit) => void): () => void;
  /** True while Patchbay believes the product's process is up (started and not exited). */
  isRunning(): boolean;
  /** Calls in progress and draining; `calls.supported` is false where the product cannot drain. */
  readonly calls: CallControl;
}

/**
 * Calls in progress and draining (stop accepting new calls, keep the active ones), so that an
 * installation can wait for calls to end before it stops the product. Implemented for real by the
 * demo PBX (over its control endpoint) and by configured commands for a real appliance; where
 * nothing is configured, `supported` is false and every method throws `DrainUnsupportedError`.
 */
export interface CallControl {
  /** False when this appliance cannot report calls or drain: the admin is told so before installing. */
  readonly supported: boolean;
  /** Calls in progress now. Throws a typed `CallControlError` (`ACTIVE_CALLS_UNREADABLE`) when it cannot tell. */
  activeCalls(): Promise<number>;
  /** Refuse new calls (the demo answers INVITE/OPTIONS with 503 and Retry-After), keep the active ones. Idempotent. */
  drain(): Promise<void>;
  /** Undo `drain`: accept new calls again. Idempotent; safe when not draining. */
  undrain(): Promise<void>;
}
