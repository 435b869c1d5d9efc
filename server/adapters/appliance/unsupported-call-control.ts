/**
 * The call control of an appliance that has no way to report calls or drain (command mode with no
 * drain commands configured): it says so, and every operation refuses with `DrainUnsupportedError`,
 * so that an installation is never told a PBX drained when it did not.
 */
import { DrainUnsupportedError } from '../../domain/errors/index.js';
import type { CallControl } from './appliance-runtime.js';

export const unsupportedCallControl: CallControl = {
  supported: false,
  activeCalls: () => Promise.reject(new DrainUnsupportedError()),
  drain: () => Promise.reject(new DrainUnsupportedError()),
  undrain: () => Promise.reject(new DrainUnsupportedError()),
};
