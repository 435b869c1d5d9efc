#!/usr/bin/env node
'use strict';
/**
 * The demo PBX: a small real program standing for the appliance Patchbay updates. It serves a
 * loopback HTTP API (health, status, call records, drain control), answers SIP calls over UDP
 * (sip-server.cjs), keeps its call records in SQLite and its configuration in JSON files in its
 * data directory, and generates simulated call traffic.
 *
 * Environment: PBX_DATA_DIR, PBX_PORT (0 = any free port), PBX_HOST (127.0.0.1), PBX_MODULES_FILE,
 * PBX_CALL_INTERVAL_MS (0 = no traffic), PBX_FAIL_HEALTH=1 (answer 503: a test hook);
 * SIP: PBX_SIP_PORT (0 = any free port), PBX_SIP_RING_MS (INVITE to answer, 100),
 * PBX_SIP_RETRY_AFTER_S (Retry-After of the 503 while draining, 60), PBX_SIP_MAX_CALLS (calls at
 * once, 200), PBX_SIP_MAX_PER_SECOND (datagrams read per second, 1000).
 * The "listening" line on stdout gives both ports: {"event":"listening","port":…,"sipPort":…}.
 * Draining lives in memory only: a fresh start accepts calls, so no restart leaves it refusing them.
 * `better-sqlite3` is resolved through NODE_PATH, which the supervisor sets.
 *
 * Test fixtures, set in a release's manifest to build releases that fail on purpose:
 * `failStart` (exits at start), `failHealth` (never healthy), `failMigrations` (see migrate.cjs);
 * and in a module's `module.json`: `failLoad` (the module cannot be loaded, the PBX exits).
 */
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { runMigrations } = require('./migrate.cjs');
const { openCallStore } = require('./sip-calls.cjs');
const { createSipServer } = require('./sip-server.cjs');

const RELEASE_DIR = path.resolve(__dirname, '..');
const manifest = JSON.parse(fs.readFileSync(path.join(RELEASE_DIR, 'manifest.json'), 'utf8'));
const DATA_DIR = process.env.PBX_DATA_DIR;
const HOST = process.env.PBX_HOST || '127.0.0.1';
const PORT = Number(process.env.PBX_PORT || 0);
const CALL_INTERVAL_MS = Number(process.env.PBX_CALL_INTERVAL_MS ?? 5000);
const MODULES_FILE = process.env.PBX_MODULES_FILE;
const SIP = {
  port: Number(process.env.PBX_SIP_PORT || 0),
  ringMs: Number(process.env.PBX_SIP_RING_MS ?? 100),
  retryAfterS: Number(process.env.PBX_SIP_RETRY_AFTER_S ?? 60),
  maxCalls: Number(process.env.PBX_SIP_MAX_CALLS ?? 200),
  maxPerSecond: Number(process.env.PBX_SIP_MAX_PER_SECOND ?? 1000),
  maxDatagramBytes: 4096,
};

function log(event, fields) {
  process.stdout.write(JSON.stringify({ event, time: new Date().toISOString(), ...fields }) + '\n');
}

function fail(message, code) {
  process.stderr.write(`pbx: ${message}\n`);
  process.exit(code);
}

if (!DATA_DIR) fail('PBX_DATA_DIR is not set', 2);
if (manifest.failStart) fail(`release ${manifest.version} cannot start (fixture)`, 1);

let Database;
try {
  Database = require('better-sqlite3');
} catch (err) {
  fail(`cannot load better-sqlite3 (set NODE_PATH): ${err.message}`, 2);
}

fs.mkdirSync(path.join(DATA_DIR, 'config'), { recursive: true });
const schemaFile = path.join(DATA_DIR, 'schema-version');
const dataVersion = fs.existsSync(schemaFile) ? Number(fs.readFileSync(schemaFile, 'utf8').trim()) : 0;
if (dataVersion > manifest.dataSchemaVersion) {
  fail(`data schema version ${dataVersion} is newer than this program's (${manifest.dataSchemaVersion}); restore a matching backup`, 3);
}

const db = new Database(path.join(DATA_DIR, 'calls.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');

if (dataVersion === 0) seed();
else if (dataVersion < manifest.dataSchemaVersion) runMigrations(db, DATA_DIR, dataVersion, manifest, log);

function seed() {
  db.exec(`CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    caller TEXT NOT NULL,
    callee TEXT NOT NULL,
    duration_s INTEGER NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal'))
  )`);
  const insert = db.prepare('INSERT INTO calls (started_at, caller, callee, duration_s, direction) VALUES (?, ?, ?, ?, ?)');
  const start = Date.parse('2026-11-02T08:00:00Z');
  db.transaction(() => {
    for (let i = 0; i < 50; i++) {
      const call = fakeCall(i);
      insert.run(new Date(start + i * 37 * 60_000).toISOString(), call.caller, call.callee, call.duration, call.direction);
    }
  })();
  writeJson('config/pbx.json', {
    site: 'Head office',
    timezone: 'Europe/Berlin',
    extensions: [
      { number: '100', name: 'Reception' },
      { number: '101', name: 'Anna Keller' },
      { number: '102', name: 'Marc Dubois' },
      { number: '200', name: 'Support queue' },
    ],
  });
  writeJson('config/dialplan.json', {
    rules: [
      { match: '^0', action: 'route', trunk: 'sip-main' },
      { match: '^1\\d\\d$', action: 'extension' },
      { match: '^200$', action: 'queue', queue: 'support' },
    ],
  });
  writeJson('config/trunks.json', {
    trunks: [{ id: 'sip-main', host: 'sip.carrier.example', port: 5061, transport: 'tls', channels: 30 }],
  });
  fs.writeFileSync(schemaFile, String(manifest.dataSchemaVersion));
  log('data-initialised', { schemaVersion: manifest.dataSchemaVersion });
}

function fakeCall(i) {
  const directions = ['inbound', 'outbound', 'internal'];
  const direction = directions[i % 3];
  const ext = ['100', '101', '102', '200'][i % 4];
  const external = `+4930${String(5550100 + ((i * 7919) % 9000)).padStart(7, '0')}`;
  return {
    direction,
    caller: direction === 'inbound' ? external : ext,
    callee: direction === 'outbound' ? external : direction === 'internal' ? ['101', '102', '100'][i % 3] : ext,
    duration: 15 + ((i * 97) % 900),
  };
}

function writeJson(rel, value) {
  const file = path.join(DATA_DIR, rel);
  fs.writeFileSync(file + '.tmp', JSON.stringify(value, null, 2) + '\n');
  fs.renameSync(file + '.tmp', file);
}

function loadedModules() {
  if (!MODULES_FILE || !fs.existsSync(MODULES_FILE)) return [];
  try {
    return JSON.parse(fs.readFileSync(MODULES_FILE, 'utf8'))
      .modules.filter((m) => m.enabled)
      .map((m) => ({ id: m.id, version: m.version }));
  } catch (err) {
    log('modules-unreadable', { error: err.message });
    return [];
  }
}

const modules = loadedModules();
// Every enabled module must be present and loadable, or the PBX does not start.
for (const m of modules) {
  const dir = path.join(path.dirname(MODULES_FILE), m.id, m.version);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) fail(`module ${m.id} ${m.version} is not installed at ${dir}`, 4);
  const code = path.join(dir, 'module.json');
  const spec = fs.existsSync(code) ? JSON.parse(fs.readFileSync(code, 'utf8')) : {};
  if (spec.failLoad) fail(`module ${m.id} ${m.version} failed to load (fixture)`, 4);
}
const countCalls = db.prepare('SELECT count(*) AS n FROM calls');
const recentCalls = db.prepare('SELECT * FROM calls ORDER BY id DESC LIMIT ?');
const insertCall = db.prepare('INSERT INTO calls (started_at, caller, callee, duration_s, direction) VALUES (?, ?, ?, ?, ?)');
const startedAt = Date.now();
let ready = false;
let callCounter = countCalls.get().n;
const sip = createSipServer({ host: HOST, store: openCallStore(db), log, ...SIP });
let sipPort = null;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://pbx');
  const send = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'POST' && (url.pathname === '/drain' || url.pathname === '/undrain')) {
    sip.setDraining(url.pathname === '/drain');
    log(url.pathname === '/drain' ? 'draining' : 'undrained', { activeCalls: sip.activeCalls() });
    return send(200, { draining: sip.isDraining(), activeCalls: sip.activeCalls() });
  }
  if (req.method !== 'GET') return send(405, { error: 'method not allowed' });
  if (url.pathname === '/health') {
    if (!ready) return send(503, { status: 'starting', version: manifest.version, telephony: 'unavailable' });
    if (process.env.PBX_FAIL_HEALTH === '1' || manifest.failHealth)
      return send(503, { status: 'failing', version: manifest.version, telephony: 'unavailable' });
    return send(200, { status: 'ok', version: manifest.version, telephony: 'available', modules });
  }
  if (url.pathname === '/status') {
    return send(200, {
      version: manifest.version,
      pid: process.pid,
      uptimeS: Math.round((Date.now() - startedAt) / 1000),
      calls: countCalls.get().n,
      sipPort,
      activeCalls: sip.activeCalls(),
      draining: sip.isDraining(),
      modules,
    });
  }
  if (url.pathname === '/calls') {
    const limit = Math.min(Math.max(Number(url.searchParams.get('limit') || 20), 1), 500);
    return send(200, { calls: recentCalls.all(limit) });
  }
  send(404, { error: 'not found' });
});

let traffic = null;
if (CALL_INTERVAL_MS > 0) {
  traffic = setInterval(() => {
    const call = fakeCall(callCounter++);
    insertCall.run(new Date().toISOString(), call.caller, call.callee, call.duration, call.direction);
  }, CALL_INTERVAL_MS);
}

Promise.all([sip.listen(), new Promise((resolve) => server.listen(PORT, HOST, resolve))]).then(
  ([boundSipPort]) => {
    sipPort = boundSipPort;
    fs.writeFileSync(path.join(DATA_DIR, 'pbx.pid'), String(process.pid));
    ready = true;
    log('listening', { port: server.address().port, sipPort, pid: process.pid, version: manifest.version });
  },
  (err) => fail(`cannot listen: ${err.message}`, 5),
);

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  ready = false;
  log('stopping', { signal });
  if (traffic) clearInterval(traffic);
  const dropped = sip.close();
  if (dropped) log('calls-dropped', { calls: dropped });
  server.close();
  server.closeAllConnections();
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  } finally {
    fs.rmSync(path.join(DATA_DIR, 'pbx.pid'), { force: true });
    process.exit(0);
  }
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
