/**
 * First start with the embedded default: installs the demo PBX as release 8.1.0 with its three
 * modules. Built in a temporary directory and renamed into place, so that a start killed halfway
 * leaves nothing half-installed: the next start simply does it again.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { InstalledModule } from '../../domain/system.js';
import type { ApplianceLayout } from './appliance-layout.js';
import { fsyncDir } from '../fs.js';
import { projectPath } from '../../project-root.js';

// The .cjs programs are not compiled: the build runs them from the source tree.
export const DEMO_APPLIANCE_SOURCE = projectPath('server', 'demo', 'appliance');

export const DEMO_MODULES: (InstalledModule & { supportedSystem: string })[] = [
  { id: 'fax', name: 'Fax', version: '2.0.0', enabled: true, supportedSystem: '>=8.0.0 <9.0.0' },
  { id: 'callcenter', name: 'Call Center', version: '3.0.0', enabled: true, supportedSystem: '>=8.0.0 <9.0.0' },
  { id: 'crm-connector', name: 'CRM Connector', version: '1.4.0', enabled: true, supportedSystem: '>=8.0.0 <10.0.0' },
];

/** Copies the demo program into `dir` with a manifest for `version`. Also used to build feed bundles. */
export async function writeDemoRelease(
  sourceDir: string,
  dir: string,
  version: string,
  overrides: Record<string, unknown> = {},
): Promise<void> {
  await fsp.mkdir(path.join(dir, 'bin'), { recursive: true });
  for (const file of await fsp.readdir(path.join(sourceDir, 'bin'))) {
    await fsp.copyFile(path.join(sourceDir, 'bin', file), path.join(dir, 'bin', file));
  }
  const template = JSON.parse(await fsp.readFile(path.join(sourceDir, 'manifest.template.json'), 'utf8')) as Record<string, unknown>;
  await fsp.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...template, version, ...overrides }, null, 2) + '\n');
}

export async function installDemoAppliance(
  layout: ApplianceLayout,
  { sourceDir, version }: { sourceDir: string; version: string },
): Promise<boolean> {
  if (layout.isInstalled()) return false;
  await fsp.mkdir(layout.releasesDir, { recursive: true });
  const releaseDir = layout.releaseDir(version);
  const staging = path.join(layout.root, `.install-${version}-${process.pid}`);
  await fsp.rm(staging, { recursive: true, force: true });
  await writeDemoRelease(sourceDir, staging, version);
  await fsp.rm(releaseDir, { recursive: true, force: true });
  await fsp.rename(staging, releaseDir);
  await fsyncDir(layout.releasesDir);

  for (const m of DEMO_MODULES) {
    const dir = path.join(layout.modulesDir, m.id, m.version);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ id: m.id, name: m.name, version: m.version, supportedSystem: m.supportedSystem }, null, 2) + '\n',
    );
  }
  await layout.writeModuleState(DEMO_MODULES.map(({ id, name, version: v, enabled }) => ({ id, name, version: v, enabled })));
  await fsp.mkdir(layout.dataDir, { recursive: true });
  // Last: the link is what makes the installation exist.
  await layout.switchCurrent(version);
  return true;
}
