'use strict';
/**
 * The SIP call records of the demo PBX: one row per call in `sip_calls` of its calls.db, from the
 * INVITE to its end. The simulated traffic keeps its own `calls` table (summaries with a duration,
 * part of the versioned data schema); this table is created by any release that speaks SIP, and
 * kept to its most recent rows so that a flood of INVITEs cannot fill the disk.
 *
 * end_reason: 'bye' (ended by a BYE), 'cancel' (cancelled while ringing), 'refused' (answered with
 * 503 while draining, or 486 with every line busy), 'timeout' (answered but never acknowledged),
 * 'dropped' (the PBX stopped with the call in progress).
 */
const KEEP_ROWS = 10_000;
const PRUNE_EVERY = 500;

function openCallStore(db, now = () => new Date().toISOString()) {
  db.exec(`CREATE TABLE IF NOT EXISTS sip_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id TEXT NOT NULL,
    caller TEXT NOT NULL,
    callee TEXT NOT NULL,
    started_at TEXT NOT NULL,
    answered_at TEXT,
    ended_at TEXT,
    end_reason TEXT CHECK (end_reason IN ('bye', 'cancel', 'refused', 'timeout', 'dropped'))
  )`);
  const insert = db.prepare('INSERT INTO sip_calls (call_id, caller, callee, started_at, ended_at, end_reason) VALUES (?, ?, ?, ?, ?, ?)');
  const answer = db.prepare('UPDATE sip_calls SET answered_at = ? WHERE id = ?');
  const end = db.prepare('UPDATE sip_calls SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL');
  const endOpen = db.prepare("UPDATE sip_calls SET ended_at = ?, end_reason = 'dropped' WHERE ended_at IS NULL");
  const prune = db.prepare('DELETE FROM sip_calls WHERE id <= (SELECT max(id) FROM sip_calls) - ?');
  let inserts = 0;

  function add(call, endReason) {
    const at = now();
    const { lastInsertRowid } = insert.run(call.callId, call.caller, call.callee, at, endReason ? at : null, endReason);
    if (++inserts % PRUNE_EVERY === 0) prune.run(KEEP_ROWS);
    return Number(lastInsertRowid);
  }

  // Calls still open were in progress when a previous process died without its SIGTERM handler
  // (kill -9): they ended with it, at a time nobody recorded; this start is when it became known.
  endOpen.run(now());

  return {
    /** A new call, ringing; returns its row id. */
    begin: (call) => add(call, null),
    /** A call attempt refused at once (draining, or no line free). */
    refuse: (call) => add(call, 'refused'),
    answer: (id) => answer.run(now(), id),
    end: (id, reason) => end.run(now(), reason, id),
    /** Every call in progress ends as dropped: the PBX is stopping. */
    dropAll: () => endOpen.run(now()).changes,
  };
}

module.exports = { openCallStore };
