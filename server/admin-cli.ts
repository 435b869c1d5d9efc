/**
 * `npm run admin -- <command>`: the local way back in, on the appliance's shell. It reads the same
 * environment as Patchbay (at least PATCHBAY_HOME) and changes Patchbay's own database, also while
 * Patchbay runs: the server reads both at every login.
 *
 *   unlock [--user NAME] [--address ADDR]   clear the login throttling of that user name and/or
 *                                           address; without either, all of it
 *   reset-password [--user NAME] [--stdin]  set a new password (user admin unless --user) and end
 *                                           every session of that user; the password is read from
 *                                           stdin with --stdin, else PATCHBAY_ADMIN_PASSWORD, else
 *                                           generated and printed once
 *   help                                    this text
 *
 * Exit codes: 0 done, 1 failed, 2 bad arguments, configuration or user.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemClock } from './adapters/clock.js';
import { createLogger } from './adapters/logger.js';
import { createScryptHasher } from './adapters/password-hasher.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { databaseFile, openDatabase } from './db/client.js';
import { InvalidInputError, NotFoundError } from './domain/errors/index.js';
import { ADMIN_USERNAME } from './services/accounts.service.js';
import { createEventBus } from './events.js';
import { wireAccounts } from './wiring/accounts.wiring.js';

const USAGE = fs
  .readFileSync(new URL(import.meta.url), 'utf8')
  .match(/\/\*\*([\s\S]*?)\*\//)![1]!
  .replace(/^ \* ?/gm, '');

/** Arguments the command does not accept. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** PATCHBAY_HOME holds no database: most likely not the server's environment. */
export class NoDatabaseError extends Error {
  readonly code = 'NO_DATABASE';
  constructor(readonly file: string) {
    super(`no Patchbay database at ${file}: run this with the server's PATCHBAY_HOME`);
  }
}

export interface AdminIo {
  env: Record<string, string | undefined>;
  /** All of stdin, read only when --stdin asks for it. */
  readStdin(): Promise<string>;
  out(line: string): void;
  /** Where the accounts service's log lines go (not stdout, which carries the password). */
  log(line: string): void;
}

type Command =
  { name: 'help' } | { name: 'unlock'; username?: string; address?: string } | { name: 'reset-password'; username: string; stdin: boolean };

/** node:util's parseArgs errors for bad arguments, by their code. */
const PARSE_ARGS_ERRORS = new Set([
  'ERR_PARSE_ARGS_UNKNOWN_OPTION',
  'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
  'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
]);

export function parseCommand(argv: string[]): Command {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') return { name: 'help' };
  let values: { user?: string; address?: string; stdin?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      allowPositionals: false,
      options: { user: { type: 'string' }, address: { type: 'string' }, stdin: { type: 'boolean' } },
    }));
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && PARSE_ARGS_ERRORS.has(code)) throw new UsageError((err as Error).message);
    throw err;
  }
  if (values.user === '') throw new UsageError('--user needs a user name');
  if (values.address === '') throw new UsageError('--address needs an address');
  switch (name) {
    case 'unlock':
      if (values.stdin) throw new UsageError('unlock takes no --stdin');
      return { name, username: values.user, address: values.address };
    case 'reset-password':
      if (values.address !== undefined) throw new UsageError('reset-password takes no --address');
      return { name, username: values.user ?? ADMIN_USERNAME, stdin: values.stdin ?? false };
    default:
      throw new UsageError(`unknown command ${name}`);
  }
}

export async function run(argv: string[], io: AdminIo): Promise<void> {
  const command = parseCommand(argv);
  if (command.name === 'help') return io.out(USAGE);
  const config: Readonly<Config> = loadConfig(io.env);
  const file = databaseFile(config.home);
  // Opening a missing file would create an empty database: a wrong PATCHBAY_HOME must say so instead.
  if (!fs.existsSync(file)) throw new NoDatabaseError(file);
  const db = openDatabase(file);
  try {
    const accounts = wireAccounts(config, {
      db,
      hasher: createScryptHasher(),
      clock: systemClock,
      logger: createLogger(config.logLevel, io.log),
      // The CLI's own bus: no stream listens in this process (the server's end at their expiry timers).
      events: createEventBus(),
    });
    if (command.name === 'unlock') {
      const cleared = accounts.unlockLogins({ username: command.username, address: command.address });
      const scope = [command.username && `user ${command.username}`, command.address && `address ${command.address}`]
        .filter(Boolean)
        .join(' at ');
      return io.out(`Cleared ${cleared} login throttling entr${cleared === 1 ? 'y' : 'ies'} (${scope || 'all'}).`);
    }
    const password = command.stdin ? (await io.readStdin()).replace(/\r?\n$/, '') : config.adminPassword;
    const { generatedPassword, endedSessions } = await accounts.resetPassword(command.username, password);
    if (generatedPassword)
      io.out(`New password for user "${command.username}": ${generatedPassword}\n(shown once; only its hash is stored)`);
    else io.out(`The password of user "${command.username}" is set.`);
    io.out(`Ended ${endedSessions} session${endedSessions === 1 ? '' : 's'} of user "${command.username}".`);
  } finally {
    db.$client.close();
  }
}

/** 2 for what the operator can correct (arguments, configuration, PATCHBAY_HOME, an unknown user, a short password), else 1. */
export function exitCodeOf(err: unknown): 1 | 2 {
  return err instanceof UsageError ||
    err instanceof ConfigError ||
    err instanceof NoDatabaseError ||
    err instanceof NotFoundError ||
    err instanceof InvalidInputError
    ? 2
    : 1;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run(process.argv.slice(2), {
    env: process.env,
    readStdin: () => readAll(process.stdin),
    out: (line) => process.stdout.write(line + '\n'),
    log: (line) => process.stderr.write(line + '\n'),
  }).catch((err: unknown) => {
    const code = exitCodeOf(err);
    process.stderr.write(`admin: ${err instanceof Error ? err.message : String(err)}\n${err instanceof UsageError ? `\n${USAGE}\n` : ''}`);
    process.exit(code);
  });
}
