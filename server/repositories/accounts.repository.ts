/**
 * Storage of users, sessions, API tokens and login-throttle counters (SQLite through drizzle).
 */
import { and, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens, loginThrottle, sessions, users } from '../db/schema.js';
import type { ThrottleState } from '../domain/auth.js';

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;

/**
 * The lookups every authenticated request makes, prepared once: drizzle otherwise builds the SQL
 * and better-sqlite3 prepares the statement again at each call, which was most of a request's cost.
 */
function hotLookups(db: Db) {
  return {
    userById: db
      .select()
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare(),
    session: db
      .select()
      .from(sessions)
      .where(eq(sessions.id, sql.placeholder('id')))
      .prepare(),
    tokenBySecretHash: db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.secretHash, sql.placeholder('secretHash')))
      .prepare(),
  };
}

export class AccountsRepository {
  private readonly hot: ReturnType<typeof hotLookups>;

  constructor(private readonly db: Db) {
    this.hot = hotLookups(db);
  }

  findUserByName(username: string): UserRow | undefined {
    return this.db.select().from(users).where(eq(users.username, username)).get();
  }

  findUserById(id: string): UserRow | undefined {
    return this.hot.userById.get({ id });
  }

  insertUser(row: UserRow): void {
    this.db.insert(users).values(row).run();
  }

  setPassword(userId: string, passwordHash: string, at: Date): void {
    this.db.update(users).set({ passwordHash, passwordChangedAt: at }).where(eq(users.id, userId)).run();
  }

  /**
   * Runs `fn` in one write transaction, begun before its first read (BEGIN IMMEDIATE): a
   * read-modify-write inside cannot interleave with another request or another process.
   */
  atomically<T>(fn: () => T): T {
    return this.db.$client.transaction(fn).immediate();
  }

  insertSession(row: SessionRow): void {
    this.db.insert(sessions).values(row).run();
  }

  findSession(id: string): SessionRow | undefined {
    return this.hot.session.get({ id });
  }

  touchSession(id: string, at: Date): void {
    this.db.update(sessions).set({ lastSeenAt: at }).where(eq(sessions.id, id)).run();
  }

  deleteSession(id: string): void {
    this.db.delete(sessions).where(eq(sessions.id, id)).run();
  }

  deleteSessionsOfUser(userId: string): number {
    return this.db.delete(sessions).where(eq(sessions.userId, userId)).run().changes;
  }

  /** Removes sessions past their absolute expiry or idle since before `idleBefore`. */
  deleteExpiredSessions(now: Date, idleBefore: Date): number {
    return this.db
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, idleBefore)))
      .run().changes;
  }

  insertApiToken(row: ApiTokenRow): void {
    this.db.insert(apiTokens).values(row).run();
  }

  findApiTokenBySecretHash(secretHash: string): ApiTokenRow | undefined {
    return this.hot.tokenBySecretHash.get({ secretHash });
  }

  findApiToken(id: string): ApiTokenRow | undefined {
    return this.db.select().from(apiTokens).where(eq(apiTokens.id, id)).get();
  }

  listApiTokens(): ApiTokenRow[] {
    return this.db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt)).all();
  }

  revokeApiToken(id: string, at: Date): ApiTokenRow | undefined {
    this.db
      .update(apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .run();
    return this.findApiToken(id);
  }

  markApiTokenUsed(id: string, at: Date): void {
    this.db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, id)).run();
  }

  getThrottle(key: string): ThrottleState | null {
    const row = this.db.select().from(loginThrottle).where(eq(loginThrottle.key, key)).get();
    return row ? { failures: row.failures, windowStartedAt: row.windowStartedAt, lockedUntil: row.lockedUntil } : null;
  }

  putThrottle(key: string, state: ThrottleState): void {
    this.db
      .insert(loginThrottle)
      .values({ key, ...state })
      .onConflictDoUpdate({ target: loginThrottle.key, set: { ...state } })
      .run();
  }

  listThrottleKeys(): string[] {
    return this.db
      .select({ key: loginThrottle.key })
      .from(loginThrottle)
      .all()
      .map((r) => r.key);
  }

  deleteThrottles(keys: string[]): number {
    if (keys.length === 0) return 0;
    return this.db.delete(loginThrottle).where(inArray(loginThrottle.key, keys)).run().changes;
  }
}
