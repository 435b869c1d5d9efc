import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplianceLayout } from '../../../server/adapters/appliance/appliance-layout.js';
import { DEMO_APPLIANCE_SOURCE, installDemoAppliance, writeDemoRelease } from '../../../server/adapters/appliance/demo-installer.js';

describe('ApplianceLayout', () => {
  let root: string;
  let sut: ApplianceLayout;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-layout-'));
    sut = new ApplianceLayout(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('readInstalled', () => {
    it('reads the version behind current and the module state after the demo installation', async () => {
      expect(await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' })).toBe(true);
      expect(await sut.readInstalled()).toEqual({
        productId: 'patchbay-demo-pbx',
        version: '8.1.0',
        modules: [
          { id: 'fax', name: 'Fax', version: '2.0.0', enabled: true },
          { id: 'callcenter', name: 'Call Center', version: '3.0.0', enabled: true },
          { id: 'crm-connector', name: 'CRM Connector', version: '1.4.0', enabled: true },
        ],
      });
      expect(fs.readlinkSync(path.join(root, 'current'))).toBe(path.join('releases', '8.1.0'));
    });

    it('does not install twice', async () => {
      await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
      expect(await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' })).toBe(false);
    });

    it('says APPLIANCE_NOT_INSTALLED without a current link', async () => {
      await expect(sut.readInstalled()).rejects.toMatchObject({ code: 'APPLIANCE_NOT_INSTALLED' });
    });

    it('says APPLIANCE_LAYOUT_INVALID for a damaged manifest', async () => {
      await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
      fs.writeFileSync(path.join(root, 'releases', '8.1.0', 'manifest.json'), '{"product": "x"');
      await expect(sut.readInstalled()).rejects.toMatchObject({ code: 'APPLIANCE_LAYOUT_INVALID' });
    });
  });

  describe('switchCurrent', () => {
    it('moves current to another release without a moment where it is missing', async () => {
      await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
      await writeDemoRelease(DEMO_APPLIANCE_SOURCE, sut.releaseDir('8.1.3'), '8.1.3');
      let missing = 0;
      let reading = true;
      const reader = (async () => {
        while (reading) {
          try {
            fs.readFileSync(path.join(root, 'current', 'manifest.json'));
          } catch {
            missing += 1;
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
      for (let i = 0; i < 50; i++) await sut.switchCurrent(i % 2 ? '8.1.0' : '8.1.3');
      reading = false;
      await reader;
      expect(missing).toBe(0);
      expect((await sut.readInstalled()).version).toBe('8.1.0');
      expect(fs.readdirSync(root).filter((f) => f.startsWith('.current'))).toEqual([]);
    });

    it('refuses a release that is not there', async () => {
      await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
      await expect(sut.switchCurrent('9.9.9')).rejects.toThrow();
      expect((await sut.readInstalled()).version).toBe('8.1.0');
    });
  });

  describe('reading the layout reports what is wrong instead of "absent"', () => {
    it('says APPLIANCE_LAYOUT_INVALID for a module state that is not JSON', async () => {
      await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
      fs.writeFileSync(sut.moduleStateFile, '{"modules": [');
      await expect(sut.readModules()).rejects.toMatchObject({ code: 'APPLIANCE_LAYOUT_INVALID' });
    });

    it('reads no supported range for a module without a manifest, and refuses a corrupt one', async () => {
      await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
      expect(await sut.moduleSupportedSystem('fax', '9.9.9')).toBeNull();
      fs.writeFileSync(path.join(root, 'modules', 'fax', '2.0.0', 'manifest.json'), 'not json');
      await expect(sut.moduleSupportedSystem('fax', '2.0.0')).rejects.toMatchObject({ code: 'APPLIANCE_LAYOUT_INVALID' });
    });

    it('knows no current version without the link, and does not take a current that is no link for "not installed" silently', async () => {
      expect(await sut.currentVersion()).toBeNull();
      expect(sut.isInstalled()).toBe(false);
      fs.mkdirSync(path.join(root, 'current'));
      await expect(sut.readInstalled()).rejects.toMatchObject({ code: 'APPLIANCE_NOT_INSTALLED' });
    });

    it('passes a manifest that cannot be read on as the error it is (EISDIR), not as "no manifest"', async () => {
      await installDemoAppliance(sut, { sourceDir: DEMO_APPLIANCE_SOURCE, version: '8.1.0' });
      const file = path.join(root, 'modules', 'fax', '2.0.0', 'manifest.json');
      fs.rmSync(file);
      fs.mkdirSync(file);
      await expect(sut.moduleSupportedSystem('fax', '2.0.0')).rejects.toMatchObject({ code: 'EISDIR' });
    });
  });
});
