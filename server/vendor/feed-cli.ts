/**
 * `npm run feed -- <command>`: the vendor's publishing tool.
 *
 *   init <dir>                                   new repository with new keys
 *   bundle <sourceDir> <out.tar.gz>              pack a directory holding manifest.json
 *   add-release <dir> --version V --bundle F --notes-en F [--notes-de F] [--notes-fr F]
 *               --upgradable-from RANGE --requires-licence-major N [--released-at ISO] [--channel stable|beta]
 *               [--module id@version …]
 *   add-module <dir> --id ID --name NAME --version V --supports RANGE --bundle F
 *   publish <dir>                                sign new snapshot and timestamp
 *   refresh-timestamp <dir> [--days N]           renew the timestamp's expiry
 *   rotate-key <dir> <root|targets|snapshot|timestamp>
 *   root <dir>                                   print the current root (give it to appliances)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Catalog } from '../domain/catalog.js';
import { buildBundle } from './bundle.js';
import { FeedRepository, ROLES, type Role } from './feed-repository.js';

const USAGE = fs
  .readFileSync(new URL(import.meta.url), 'utf8')
  .match(/\/\*\*([\s\S]*?)\*\//)![1]!
  .replace(/^ \* ?/gm, '');

class UsageError extends Error {}

function need(values: Record<string, unknown>, ...names: string[]): void {
  for (const n of names) if (values[n] === undefined) throw new UsageError(`--${n} is required`);
}

async function loadCatalog(repo: FeedRepository, product: string): Promise<Catalog> {
  return (
    (await repo.getCatalog()) ?? {
      formatVersion: 1,
      product,
      generatedAt: new Date().toISOString(),
      channels: { stable: [], beta: [] },
      modules: [],
    }
  );
}

export async function run(argv: string[], out: (s: string) => void = console.log): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      version: { type: 'string' },
      bundle: { type: 'string' },
      'notes-en': { type: 'string' },
      'notes-de': { type: 'string' },
      'notes-fr': { type: 'string' },
      'upgradable-from': { type: 'string' },
      'requires-licence-major': { type: 'string' },
      'released-at': { type: 'string' },
      channel: { type: 'string', default: 'stable' },
      module: { type: 'string', multiple: true },
      id: { type: 'string' },
      name: { type: 'string' },
      supports: { type: 'string' },
      product: { type: 'string', default: 'patchbay-demo-pbx' },
      days: { type: 'string' },
    },
  });
  const dir = positionals[0];
  if (!command || command === 'help' || command === '--help') return out(USAGE);
  if (!dir) throw new UsageError(`${command} needs a directory`);
  switch (command) {
    case 'init': {
      const repo = await FeedRepository.create(dir);
      return out(`created ${repo.repositoryDir} (keys in ${path.join(dir, 'keys')}: keep them offline)`);
    }
    case 'bundle': {
      const target = positionals[1];
      if (!target) throw new UsageError('bundle needs <sourceDir> <out.tar.gz>');
      const { files } = await buildBundle(dir, target);
      return out(`wrote ${target} (${files} files)`);
    }
    case 'add-release': {
      need(values, 'version', 'bundle', 'notes-en', 'upgradable-from', 'requires-licence-major');
      const repo = await FeedRepository.open(dir);
      const catalog = await loadCatalog(repo, values.product!);
      const channel = values.channel === 'beta' ? 'beta' : values.channel === 'stable' ? 'stable' : null;
      if (!channel) throw new UsageError('--channel must be stable or beta');
      const target = `releases/${path.basename(values.bundle!)}`;
      const info = await repo.addTarget(target, values.bundle!);
      const read = (f: string | undefined) => (f ? fs.readFileSync(f, 'utf8') : undefined);
      catalog.channels[channel] = catalog.channels[channel].filter((r) => r.version !== values.version);
      catalog.channels[channel].push({
        version: values.version!,
        releasedAt: values['released-at'] ?? new Date().toISOString(),
        notes: { en: read(values['notes-en'])!, de: read(values['notes-de']), fr: read(values['notes-fr']) },
        bundle: { target, size: info.length },
        upgradableFrom: values['upgradable-from']!,
        requiresLicenceMajor: Number(values['requires-licence-major']),
        modules: (values.module ?? []).map((m) => {
          const [id, version] = m.split('@');
          if (!id || !version) throw new UsageError(`--module ${m}: expected id@version`);
          return { id, version };
        }),
      });
      catalog.generatedAt = new Date().toISOString();
      await repo.setCatalog(catalog);
      await repo.publish();
      return out(`added ${values.version} to ${channel} and published`);
    }
    case 'add-module': {
      need(values, 'id', 'name', 'version', 'supports', 'bundle');
      const repo = await FeedRepository.open(dir);
      const catalog = await loadCatalog(repo, values.product!);
      const target = `modules/${path.basename(values.bundle!)}`;
      const info = await repo.addTarget(target, values.bundle!);
      catalog.modules = catalog.modules.filter((m) => !(m.id === values.id && m.version === values.version));
      catalog.modules.push({
        id: values.id!,
        name: values.name!,
        version: values.version!,
        supportedSystem: values.supports!,
        bundle: { target, size: info.length },
      });
      catalog.generatedAt = new Date().toISOString();
      await repo.setCatalog(catalog);
      await repo.publish();
      return out(`added module ${values.id}@${values.version} and published`);
    }
    case 'publish':
      await (await FeedRepository.open(dir)).publish();
      return out('published');
    case 'refresh-timestamp': {
      const days = values.days ? Number(values.days) : undefined;
      if (days !== undefined && !(days > 0)) throw new UsageError('--days must be a positive number');
      await (await FeedRepository.open(dir)).refreshTimestamp({ expiryDays: days ? { timestamp: days } : undefined });
      return out('timestamp refreshed');
    }
    case 'rotate-key': {
      const role = positionals[1] as Role;
      if (!ROLES.includes(role)) throw new UsageError(`rotate-key needs a role: ${ROLES.join(', ')}`);
      await (await FeedRepository.open(dir)).rotateKey(role);
      return out(`rotated the ${role} key and published`);
    }
    case 'root':
      return out((await FeedRepository.open(dir)).rootJson());
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`feed: ${(err as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`feed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
