'use strict';
/**
 * Data migrations of the demo PBX, by data schema version. A release runs those between the data's
 * version and its own `dataSchemaVersion`, each in one SQLite transaction plus atomic config
 * rewrites. Run as a program (`node bin/migrate.cjs`, PBX_DATA_DIR set) it migrates the data while
 * the appliance is stopped, which is how the installer calls it: exit 0 when done, 1 on failure.
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
    const file = path.join(dataDir, 'schema-version');
    fs.writeFileSync(file + '.tmp', String(v));
    fs.renameSync(file + '.tmp', file);
    log('migrated', { to: v, name: migration.name });
  }
}

module.exports = { runMigrations, MIGRATIONS };

if (require.main === module) {
  const dataDir = process.env.PBX_DATA_DIR;
  const log = (event, fields) => process.stdout.write(JSON.stringify({ event, ...fields }) + '\n');
  try {
    if (!dataDir) throw new Error('PBX_DATA_DIR is not set');
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'manifest.json'), 'utf8'));
    const schemaFile = path.join(dataDir, 'schema-version');
    const from = fs.existsSync(schemaFile) ? Number(fs.readFileSync(schemaFile, 'utf8').trim()) : 0;
    if (from === 0) {
      log('nothing-to-migrate', { reason: 'no data yet: the first start creates it' });
    } else if (from > manifest.dataSchemaVersion) {
      throw new Error(`data schema version ${from} is newer than this release's (${manifest.dataSchemaVersion})`);
    } else if (from === manifest.dataSchemaVersion) {
      log('nothing-to-migrate', { schemaVersion: from });
    } else {
      const Database = require('better-sqlite3');
      const db = new Database(path.join(dataDir, 'calls.db'));
      try {
        runMigrations(db, dataDir, from, manifest, log);
      } finally {
        db.close();
      }
    }
  } catch (err) {
    process.stderr.write(`migrate: ${err.message}\n`);
    process.exit(1);
  }
}
