/** A presented credential (session cookie or bearer token) and the principal it stands for now. */
import type { Principal } from '../domain/auth.js';
import type { AccountsService } from '../services/accounts.service.js';

export interface Credential {
  kind: 'cookie' | 'token';
  secret: string;
}

export function authenticate(accounts: AccountsService, credential: Credential | null): Principal | null {
  if (!credential) return null;
  return credential.kind === 'token' ? accounts.authenticateToken(credential.secret) : accounts.authenticateSession(credential.secret);
}
