/** Typed failures of the appliance layer, each with a stable code and the facts behind it. */
export class ApplianceError extends Error {
  constructor(
    readonly code: 'APPLIANCE_NOT_INSTALLED' | 'APPLIANCE_LAYOUT_INVALID' | 'APPLIANCE_START_FAILED' | 'APPLIANCE_STOP_FAILED',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApplianceError';
  }
}
