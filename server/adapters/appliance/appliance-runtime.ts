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
}
