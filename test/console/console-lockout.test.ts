/**
 * The lockout guard in the console: before a change that would deny the
 * admin's own address (switching a list on without it, deleting or
 * disabling the entry that lets it in) the page says so and goes on only
 * on an explicit confirmation, with force=true; in the `admin` scope it
 * refuses, as the API does.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/policy/index.js';
import { screenshot } from './browser.js';
import { consoleForTests, noticed, signedIn } from './console-harness.js';

const env = consoleForTests();
const tenant = 'lock';
const ME = '203.0.113.5';
const seeder = { name: 'seed', address: ME };
let page: Page;

const list = (scope: Scope) => ({ tenant, scope });
const stored = (scope: Scope) => env.stack.stored(tenant, scope);
const row = (value: string) => page.getByRole('row').filter({ has: page.getByRole('checkbox', { name: `Select ${value}`, exact: true }) });

async function open(scope: Scope): Promise<void> {
  await page.getByRole('link', { name: { sip: 'SIP devices', webrtc: 'WebRTC', admin: 'Admin login', recordings: 'Public recordings' }[scope] }).click();
  await page.locator('#entry-count').waitFor();
}

beforeAll(async () => {
  await env.store.admin.addEntry(seeder, list('sip'), { value: '192.0.2.0/24', active: true, description: 'Branch A' });
  await env.store.admin.importEntries(seeder, list('webrtc'), [{ input: { value: ME, active: true, description: 'me' } }, { input: { value: '192.0.2.0/24', active: true } }], false);
  await env.store.admin.setEnabled(seeder, list('webrtc'), true);
  await env.store.admin.importEntries(seeder, list('admin'), [{ input: { value: ME, active: true, description: 'me' } }, { input: { value: '192.0.2.0/24', active: true } }], false);
  await env.store.admin.setEnabled(seeder, list('admin'), true);
  await env.stack.settled(tenant, 'admin', '198.51.100.1', false);
  page = await signedIn(env, await env.stack.token(tenant), { from: ME }, `#/${tenant}/sip`);
});

afterAll(() => page?.context().close());

describe('console: the lockout guard', () => {
  it('warns before switching on a list without your address, and switches it on only when confirmed', async () => {
    const toggle = page.locator('.switch-panel').getByRole('switch');
    await toggle.waitFor();
    expect(await page.getByText(`If your own address (${ME}) is not in the list, switching it on locks you out.`).count()).toBe(1);
    await toggle.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`this change would deny your own address ${ME} in lock/sip`);
    await screenshot(page, 'lockout-warning');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await noticed(page, 'failure', 'Cancelled: nothing was changed.');
    expect((await stored('sip')).enabled).toBe(false);
    expect(await toggle.isChecked()).toBe(false);

    await toggle.click();
    await page.getByRole('dialog').getByRole('button', { name: 'Lock me out anyway' }).click();
    await noticed(page, 'success', 'The sip list is on');
    expect(await stored('sip')).toMatchObject({ configured: true, enabled: true });
    await expect.poll(() => toggle.isChecked()).toBe(true);
    // The audit log says it was forced from this address.
    const [last] = await env.store.admin.audit(tenant, 1);
    expect(last).toMatchObject({ action: 'enable-scope', address: ME });
  });

  it('asks before disabling or deleting the entry that lets you in', async () => {
    await open('webrtc');
    await row(ME).getByRole('button', { name: `Disable ${ME}` }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('This locks you out');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await stored('webrtc')).entries.find((e) => e.value === ME)?.active).toBe(true);

    await row(ME).getByRole('button', { name: `Delete ${ME}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Lock me out anyway' }).click();
    await noticed(page, 'success', `Deleted ${ME}`);
    expect((await stored('webrtc')).entries.map((e) => e.value)).toEqual(['192.0.2.0/24']);
  });

  it('refuses, without a way to force it, a change that would lock you out of the admin scope', async () => {
    await open('admin');
    await row(ME).getByRole('button', { name: `Delete ${ME}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await page.getByRole('heading', { name: 'Refused: you would lock yourself out' }).waitFor();
    expect(await dialog.textContent()).toContain('this API session would lose access');
    expect(await dialog.getByRole('button', { name: 'Lock me out anyway' }).count()).toBe(0);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await noticed(page, 'failure', 'this API session would lose access');
    expect((await stored('admin')).entries.map((e) => e.value)).toEqual([ME, '192.0.2.0/24']);

    // Switching the admin list off locks nobody out.
    await page.locator('.switch-panel').getByRole('switch').click();
    await noticed(page, 'success', 'The admin list is off');
    expect((await stored('admin')).enabled).toBe(false);
  });
});
