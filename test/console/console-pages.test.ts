/**
 * Every page of the console as the admin sees it, at a desktop's width and
 * a phone's (390 px): what each scope's page says, the audit log and its
 * filters, no serious accessibility violation (axe-core), nothing wider
 * than the screen, and a change made by keyboard alone. A screenshot of
 * each page is saved among the test artifacts.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/policy/index.js';
import { DESKTOP, PHONE, screenshot } from './browser.js';
import { consoleForTests, focusedOn, noticed, seriousViolations, signedIn } from './console-harness.js';

const env = consoleForTests();
const tenant = 'pages';
const ME = '203.0.113.5';
const seeder = { name: 'seed', address: ME };
const PAGES = ['sip', 'webrtc', 'admin', 'recordings', 'audit'] as const;
let token: string;

beforeAll(async () => {
  token = await env.stack.token(tenant, 'pages-console');
  const lines = [`${ME} Alice`, '192.0.2.0/24 Head office', '198.51.100.7 VPN gateway'].map((line, i) => ({ line: i + 1, input: { value: line.split(' ')[0]!, active: i !== 2, description: line.slice(line.indexOf(' ') + 1) } }));
  for (const scope of ['sip', 'admin'] as const) await env.store.admin.importEntries(seeder, { tenant, scope }, lines, false);
  await env.store.admin.setEnabled(seeder, { tenant, scope: 'sip' }, true);
});

/** A signed-in page whose CSP lets axe-core be injected (only this file's pages, only for that check). */
const open = (viewport: typeof DESKTOP | typeof PHONE) => signedIn(env, token, { from: ME, viewport, bypassCSP: true }, `#/${tenant}/sip`);

async function show(page: Page, name: (typeof PAGES)[number]): Promise<void> {
  await page.goto(`${env.url}#/${tenant}/${name}`);
  await page.locator(name === 'audit' ? 'table.audit' : '#entry-count').waitFor();
}

describe('console: the pages', () => {
  let page: Page;
  beforeAll(async () => {
    page = await open(DESKTOP);
  });
  afterAll(() => page?.context().close());

  it('says what each list guards: the admin list this console, an empty recordings list nothing', async () => {
    await show(page, 'admin');
    expect(await page.locator('.intro').textContent()).toContain('This list guards this console and the admin API');
    await show(page, 'recordings');
    expect(await page.locator('.intro').textContent()).toContain('An empty list leaves public links unrestricted');
    await show(page, 'webrtc');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('WebRTC');
  });

  it('shows the audit log, filtered by scope and by text', async () => {
    await show(page, 'audit');
    const count = page.locator('.count');
    await expect.poll(() => count.textContent()).toBe('3 changes');
    await page.getByLabel('Scope').selectOption('admin');
    await expect.poll(() => count.textContent()).toBe('1 change');
    await page.getByLabel('Scope').selectOption('');
    await page.getByLabel('Search').fill('enable-scope');
    await expect.poll(() => count.textContent()).toBe('1 change');
    expect(await page.locator('table.audit tbody tr').first().textContent()).toContain(ME);
    await page.getByLabel('Search').fill('');
    await screenshot(page, 'audit');
  });

  it('has no serious accessibility violation on any page, or with its forms open', async () => {
    for (const name of PAGES) {
      await show(page, name);
      expect(await seriousViolations(page), name).toEqual([]);
      await screenshot(page, `page-${name}`);
    }
    await show(page, 'sip');
    for (const button of ['Add IP', 'Mass insert']) {
      await page.getByRole('button', { name: button, exact: true }).click();
      expect(await seriousViolations(page), button).toEqual([]);
    }
    await page.getByLabel(/^Entries, one a line/).fill('010.0.0.1\n192.0.2.1');
    expect(await seriousViolations(page), 'mass insert errors').toEqual([]);
    await page.getByRole('button', { name: 'Delete 192.0.2.0/24' }).click();
    await page.getByRole('dialog').waitFor();
    expect(await seriousViolations(page), 'a dialog').toEqual([]);
    await page.keyboard.press('Escape');
  });
});

describe('console: at a phone’s width', () => {
  it('fits every page in 390 px, accessibly', async () => {
    const page = await open(PHONE);
    for (const name of PAGES) {
      await show(page, name);
      const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
      expect(width, name).toBeLessThanOrEqual(PHONE.width);
      expect(await seriousViolations(page), name).toEqual([]);
      await screenshot(page, `phone-${name}`);
    }
    // The actions are there on a phone too.
    await show(page, 'sip');
    await page.getByRole('button', { name: 'Disable 192.0.2.0/24' }).click();
    await noticed(page, 'success', '192.0.2.0/24 disabled');
    expect((await env.stack.stored(tenant, 'sip')).entries.find((e) => e.value === '192.0.2.0/24')?.active).toBe(false);
    await page.context().close();
  });
});

describe('console: by keyboard alone', () => {
  /** Presses Tab until the focused element is the one named, as a keyboard user moves through the page. */
  async function tabTo(page: Page, name: string): Promise<void> {
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const focused = (await page.evaluate('document.activeElement?.getAttribute("aria-label") || document.activeElement?.textContent || document.activeElement?.id')) as string;
      if (focused.trim() === name) return;
    }
    throw new Error(`Tab never reached ${name}`);
  }

  it('signs in, adds an entry and deletes it with the keyboard', async () => {
    const page = await env.browser.page({ from: ME });
    await page.goto(`${env.url}#/${tenant}/webrtc`);
    await page.getByLabel('API token').waitFor();
    await tabTo(page, 'token');
    await page.keyboard.type(token);
    await page.keyboard.press('Enter');
    await page.locator('#entry-count').waitFor();
    await tabTo(page, 'Add IP');
    await page.keyboard.press('Enter');
    // The form takes the focus at its first field.
    await page.waitForFunction(focusedOn, 'entry-value');
    await page.keyboard.type('192.0.2.44');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Typed by keyboard');
    await page.keyboard.press('Enter');
    await noticed(page, 'success', 'Added 192.0.2.44 (active)');
    const scope: Scope = 'webrtc';
    expect((await env.stack.stored(tenant, scope)).entries).toMatchObject([{ value: '192.0.2.44', active: true, description: 'Typed by keyboard' }]);

    await tabTo(page, 'Delete 192.0.2.44');
    await page.keyboard.press('Enter');
    // The dialog takes the focus (at Cancel); Shift+Tab reaches Delete.
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await noticed(page, 'success', 'Deleted 192.0.2.44');
    expect((await env.stack.stored(tenant, scope)).entries).toEqual([]);
    await page.context().close();
  });
});
