'use strict';
/**
 * Data migrations of the demo PBX, by data schema version. A release runs those between the data's
 * version and its own `dataSchemaVersion`, in one SQLite transaction plus atomic config rewrites.
 */
const fs = require('node:fs');
const path = require('node:path');

/** version → migration bringing the data from version-1 to version */
const MIGRATIONS = {
  2: {
    name: 'calls-recording-flag',
    run(db) {
      db.exec('ALTER TABLE calls ADD COLUMN recorded INTEGER NOT NULL DEFAULT 0');
    },
  },
  3: {
    name: 'voicemail-and-dialplan-v2',
    run(db, dataDir) {
      db.exec(`CREATE TABLE voicemail (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mailbox TEXT NOT NULL,
        received_at TEXT NOT NULL,
        caller TEXT NOT NULL,
        duration_s INTEGER NOT NULL
      )`);
      const file = path.join(dataDir, 'config', 'dialplan.json');
      const dialplan = JSON.parse(fs.readFileSync(file, 'utf8'));
      const next = { formatVersion: 2, rules: dialplan.rules.map((r, i) => ({ priority: (i + 1) * 10, ...r })) };
      fs.writeFileSync(file + '.tmp', JSON.stringify(next, null, 2) + '\n');
      fs.renameSync(file + '.tmp', file);
    },
  },
};

function runMigrations(db, dataDir, from, manifest, log) {
  const to = manifest.dataSchemaVersion;
  for (let v = from + 1; v <= to; v++) {
    const migration = MIGRATIONS[v];
    if (!migration) throw new Error(`no migration to data schema version ${v}`);
    if (Array.isArray(manifest.failMigrations) && manifest.failMigrations.includes(migration.name)) {
      // A test fixture: a release built to fail this migration, to prove the restore.
      throw new Error(`migration ${migration.name} failed (fixture)`);
    }
    db.transaction(() => migration.run(db, dataDir))();
    fs.writeFileSync(path.join(dataDir, 'schema-version'), String(v));
    log('migrated', { to: v, name: migration.name });
  }
}

module.exports = { runMigrations, MIGRATIONS };
