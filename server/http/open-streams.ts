/**
 * The registry of open streams: every WebSocket and every subscription (over WebSocket or SSE),
 * each with the principal it was opened with. When the accounts service announces that a
 * credential ended (`credential/ended`: logout, revocation, expiry), everything opened with it is
 * ended at that moment; while anything follows a credential, the accounts service keeps one timer
 * for its expiry. Nothing is scanned periodically. It also caps the subscriptions of a credential.
 */
import type { Logger } from '../adapters/logger.js';
import type { Principal } from '../domain/auth.js';
import { TooManyStreamsError } from '../domain/errors/index.js';
import type { CredentialEnded, EventBus } from '../events.js';
import type { AccountsService } from '../services/accounts.service.js';

export interface StreamCaps {
  /** Operations in flight on one WebSocket: its subscriptions, and the odd query between them. */
  subscriptionsPerSocket: number;
  /** Subscriptions one credential holds open, over WebSocket and SSE together. */
  streamsPerCredential: number;
}

export const DEFAULT_STREAM_CAPS: StreamCaps = { subscriptionsPerSocket: 20, streamsPerCredential: 50 };

export interface OpenStreamsDeps {
  events: Pick<EventBus, 'subscribe'>;
  accounts: Pick<AccountsService, 'followCredential'>;
  logger: Logger;
  streamsPerCredential: number;
}

interface Follower {
  end(): void;
  /** A subscription counts against the credential's cap; the socket that carries some does not. */
  counted: boolean;
}

/** What is open with one credential. */
interface Followed {
  principal: Principal;
  followers: Set<Follower>;
  subscriptions: number;
  /** Stops the accounts service's expiry timer of the credential. */
  unfollow(): void;
}

const credentialKey = (p: Principal) => (p.kind === 'session' ? `session:${p.sessionId}` : `token:${p.tokenId}`);

export class OpenStreams {
  private readonly byCredential = new Map<string, Followed>();
  private readonly ended: AsyncIterator<CredentialEnded>;
  private readonly listening: Promise<void>;

  constructor(private readonly deps: OpenStreamsDeps) {
    this.ended = deps.events.subscribe('credential/ended')[Symbol.asyncIterator]();
    this.listening = this.listen();
  }

  /** Calls `end` when the principal's credential ends (a WebSocket: closed with 4401). Returns the release. */
  follow(principal: Principal, end: () => void): () => void {
    return this.add(principal, { end, counted: false });
  }

  /**
   * Registers one more subscription of this credential, ended with it; past the cap it is refused
   * with TooManyStreamsError and nothing is registered. Returns the release.
   */
  open(principal: Principal, end: () => void): () => void {
    const followed = this.byCredential.get(credentialKey(principal));
    if (followed && followed.subscriptions >= this.deps.streamsPerCredential) {
      throw new TooManyStreamsError(this.deps.streamsPerCredential);
    }
    return this.add(principal, { end, counted: true });
  }

  /** Stops listening for ended credentials; what is still open is closed by the server's shutdown. */
  async stop(): Promise<void> {
    await this.ended.return?.();
    await this.listening;
    for (const followed of this.byCredential.values()) followed.unfollow();
    this.byCredential.clear();
  }

  private add(principal: Principal, follower: Follower): () => void {
    const key = credentialKey(principal);
    let followed = this.byCredential.get(key);
    if (!followed) {
      followed = { principal, followers: new Set(), subscriptions: 0, unfollow: () => {} };
      this.byCredential.set(key, followed);
      // Set after the entry exists: a credential found ended at once is announced, and ends the entry.
      followed.unfollow = this.deps.accounts.followCredential(principal);
    }
    followed.followers.add(follower);
    if (follower.counted) followed.subscriptions += 1;
    const entry = followed;
    return () => {
      if (!entry.followers.delete(follower)) return;
      if (follower.counted) entry.subscriptions -= 1;
      if (entry.followers.size > 0) return;
      entry.unfollow();
      if (this.byCredential.get(key) === entry) this.byCredential.delete(key);
    };
  }

  private async listen(): Promise<void> {
    for (;;) {
      const next = await this.ended.next();
      if (next.done) return;
      this.endCredential(next.value);
    }
  }

  private endCredential(ended: CredentialEnded): void {
    const keys =
      ended.kind === 'session'
        ? [`session:${ended.sessionId}`]
        : ended.kind === 'token'
          ? [`token:${ended.tokenId}`]
          : [...this.byCredential].filter(([, f]) => f.principal.kind === 'session' && f.principal.userId === ended.userId).map(([k]) => k);
    for (const key of keys) {
      const followed = this.byCredential.get(key);
      if (!followed) continue;
      this.byCredential.delete(key);
      followed.unfollow();
      const followers = [...followed.followers];
      followed.followers.clear();
      followed.subscriptions = 0;
      this.deps.logger.info('streams ended with their credential', { kind: ended.kind, reason: ended.reason, streams: followers.length });
      for (const follower of followers) {
        // One stream that fails to end must not keep the others of the credential open.
        try {
          follower.end();
        } catch (err) {
          this.deps.logger.error('a stream did not end with its credential', { err });
        }
      }
    }
  }
}
