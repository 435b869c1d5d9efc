/**
 * `npm run licence -- <command>`: the vendor's licence tool.
 *
 *   keygen <key.pem>                     new ed25519 signing key; prints the public key entry
 *                                        for PATCHBAY_LICENCE_KEYS
 *   issue <key.pem> --system-id ID --id LICENCE-ID --customer NAME --edition NAME
 *         --max-major N [--modules a,b,c] [--contract-from ISO --contract-until ISO]
 *         [--expires-at ISO] [--issued-at ISO] [--out file.json]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createLicenceKey, loadLicenceKey, publicKeyOf, signLicence } from './licence-issuer.js';

const USAGE = fs
  .readFileSync(new URL(import.meta.url), 'utf8')
  .match(/\/\*\*([\s\S]*?)\*\//)![1]!
  .replace(/^ \* ?/gm, '');

class UsageError extends Error {}

export async function run(argv: string[], out: (s: string) => void = console.log): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'system-id': { type: 'string' },
      id: { type: 'string' },
      customer: { type: 'string' },
      edition: { type: 'string' },
      'max-major': { type: 'string' },
      modules: { type: 'string', default: '' },
      'contract-from': { type: 'string' },
      'contract-until': { type: 'string' },
      'expires-at': { type: 'string' },
      'issued-at': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const keyFile = positionals[0];
  if (!command || command === 'help' || command === '--help') return out(USAGE);
  if (!keyFile) throw new UsageError(`${command} needs a key file`);
  if (command === 'keygen') {
    return out(JSON.stringify([await createLicenceKey(keyFile)], null, 2));
  }
  if (command !== 'issue') throw new UsageError(`unknown command ${command}`);
  for (const n of ['system-id', 'id', 'customer', 'edition', 'max-major'] as const)
    if (!values[n]) throw new UsageError(`--${n} is required`);
  if (!!values['contract-from'] !== !!values['contract-until']) throw new UsageError('--contract-from and --contract-until go together');
  const key = await loadLicenceKey(keyFile);
  let signed;
  try {
    signed = signLicence(
      {
        formatVersion: 1,
        id: values.id!,
        systemId: values['system-id']!,
        customer: values.customer!,
        edition: values.edition!,
        issuedAt: values['issued-at'] ?? new Date().toISOString(),
        ...(values['expires-at'] ? { expiresAt: values['expires-at'] } : {}),
        licensedModules: values
          .modules!.split(',')
          .map((m) => m.trim())
          .filter(Boolean),
        maxMajor: Number(values['max-major']),
        ...(values['contract-from']
          ? { updateContract: { validFrom: values['contract-from'], validUntil: values['contract-until']! } }
          : {}),
      },
      key,
    );
  } catch (err) {
    throw new UsageError(`the licence is invalid: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = JSON.stringify(signed, null, 2) + '\n';
  if (values.out) {
    fs.writeFileSync(values.out, text);
    return out(`wrote ${values.out} (key ${publicKeyOf(key).keyId})`);
  }
  out(text);
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`licence: ${(err as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`licence: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
