import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../server/web-build.js';
import { launchBrowser, loggedInPage } from '../helpers/browser.js';
import { ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app.js';

describe('licences and module updates in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startTestApp({ options: { webDist: WEB_DIST } });
    browser = await launchBrowser();
    page = await loggedInPage(browser, app.url, '/updates', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Search now' }).click();
    await page.locator('[data-version="9.0.0"]').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows 9.0.0 blocked with the reasons in words, and the module table for it', async () => {
    const v9 = page.locator('[data-version="9.0.0"]');
    expect(await v9.locator('[data-installable]').getAttribute('data-installable')).toBe('false');
    await v9.getByText('Your licence does not include major version 9. Import a licence for version 9.').waitFor();
    await v9.getByText('released after the update contract ended').waitFor();

    await page.getByRole('radio', { name: '9.0.0' }).check();
    await page.getByRole('heading', { name: 'Module updates for 9.0.0' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Update Call Center to 4.0.0' }).isChecked()).toBe(true);
    const fax = page.locator('tr[data-module="fax"]');
    await fax.getByText('No version of this module is released for 9.0.0.').waitFor();
    await fax.getByText('The module will be disabled by the update.').waitFor();
    expect(await fax.getByRole('checkbox').isDisabled()).toBe(true);
    await page.locator('tr[data-module="crm-connector"] [data-code="NOT_UPDATABLE"]').waitFor();
    // Left out, Call Center 3.0.0 (which does not run on 9.x) would be disabled: the table says so.
    const callcenter = page.locator('tr[data-module="callcenter"]');
    expect(await callcenter.locator('[data-code="DISABLED_IF_LEFT_OUT"]').count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Update Call Center to 4.0.0' }).uncheck();
    await callcenter.getByText('Left out of the update, this module is disabled: its installed version does not run on 9.0.0.').waitFor();
    await page.getByRole('checkbox', { name: 'Update Call Center to 4.0.0' }).check();
  });

  it('makes 9.0.0 installable once the second demo licence is imported through the file picker', async () => {
    await page.getByRole('link', { name: 'Licences' }).click();
    await page.getByRole('heading', { name: 'Licences', level: 1 }).waitFor();
    await page.locator('[data-code="CONTRACT_ENDED"]').waitFor();
    expect(await page.getByTestId('max-major').textContent()).toBe('8');
    await page.getByLabel('Licence file').setInputFiles(path.join(app.home, 'demo-vendor', 'licence-upgrade.json'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('status').filter({ hasText: 'Licence DEMO-0001 imported; it replaces the older issue.' }).waitFor();
    await expect.poll(() => page.getByTestId('max-major').textContent()).toBe('9');
    expect(await page.locator('[data-code="CONTRACT_ENDED"]').count()).toBe(0);

    await page.getByRole('link', { name: 'Updates' }).click();
    const v9 = page.locator('[data-version="9.0.0"]');
    await expect.poll(() => v9.locator('[data-installable]').getAttribute('data-installable')).toBe('true');
    await page.getByRole('radio', { name: '9.0.0' }).check();
    // The CRM connector is licensed now: its update is pre-checked too.
    await expect.poll(() => page.getByRole('checkbox', { name: 'Update CRM Connector to 1.5.0' }).isChecked()).toBe(true);
  });

  it('says why a wrong file is refused', async () => {
    await page.getByRole('link', { name: 'Licences' }).click();
    await page
      .getByLabel('Licence file')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a licence') });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('[role="alert"][data-code="LICENCE_MALFORMED"]').getByText('This file is not a licence file.').waitFor();
  });
});
