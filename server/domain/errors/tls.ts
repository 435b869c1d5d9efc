/** The TLS certificate and key files (`PATCHBAY_TLS_CERT`/`_KEY`, or the self-signed pair): unreadable or unusable. */
import { CodedError } from './domain-error.js';

export type TlsMaterialCode = 'TLS_FILE_UNREADABLE' | 'TLS_CERTIFICATE_INVALID' | 'TLS_KEY_INVALID' | 'TLS_KEY_MISMATCH';

export class TlsMaterialError extends CodedError<TlsMaterialCode, { file: string; reason: string }> {}
