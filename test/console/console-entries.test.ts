/**
 * The console's workflows in a real browser, each checked on the page and
 * in Redis: adding addresses and blocks (checked as typed), editing,
 * enabling, disabling and deleting, mass insert with its bad lines, filters
 * and quick search, bulk actions, export, the address check with DNS names,
 * and the success and failure notices.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImport } from '../../src/admin/entry-import.js';
import { screenshot } from './browser.js';
import { consoleForTests, noticed, signedIn } from './console-harness.js';

const AGENT = 'agent7.dyn.test';
const env = consoleForTests({ [AGENT]: ['198.51.100.7'] });
const tenant = 'acme';
const ME = '203.0.113.5';
let page: Page;

const stored = (scope: 'sip' | 'webrtc' | 'admin' | 'recordings' = 'sip') => env.stack.stored(tenant, scope);
const valuesOf = async (scope?: 'sip' | 'webrtc' | 'admin' | 'recordings') => (await stored(scope)).entries.map((e) => `${e.value}${e.active ? '' : ' (inactive)'}${e.description ? ` ${e.description}` : ''}`);
const row = (value: string) => page.getByRole('row').filter({ has: page.getByRole('checkbox', { name: `Select ${value}`, exact: true }) });

beforeAll(async () => {
  page = await signedIn(env, await env.stack.token(tenant, 'alice-console'), { from: ME }, `#/${tenant}/sip`);
});

afterAll(() => page?.context().close());

describe('console: single entries', () => {
  it('adds an address and a block, checking each as it is typed with the API rules', async () => {
    await page.getByRole('button', { name: 'Add IP', exact: true }).click();
    const value = page.getByLabel('IP address or DNS name');
    await value.fill('010.0.0.1');
    await expect.poll(() => page.locator('#entry-value-problem').textContent()).toContain('leading zero');
    await value.fill('192.0.2.0/24');
    await expect.poll(() => page.locator('#entry-value-problem').textContent()).toContain('is a block: use Add IP block');
    await value.fill('203.0.113.5');
    await expect.poll(() => page.locator('#entry-value-problem').textContent()).toBe('will be stored as 203.0.113.5');
    await page.getByLabel('Description', { exact: true }).fill('Alice at the office');
    await page.getByRole('button', { name: 'Save' }).click();
    await noticed(page, 'success', 'Added 203.0.113.5 (active)');
    await screenshot(page, 'add-ip-saved');

    await page.getByRole('button', { name: 'Add IP block' }).click();
    await page.getByLabel('IP block', { exact: true }).fill('198.51.100.7');
    await expect.poll(() => page.locator('#entry-value-problem').textContent()).toContain('not a block');
    await page.getByLabel('IP block', { exact: true }).fill('192.0.2.9/24');
    await expect.poll(() => page.locator('#entry-value-problem').textContent()).toBe('will be stored as 192.0.2.0/24');
    await page.getByLabel('Description', { exact: true }).fill('Branch A');
    await page.getByLabel('Inactive').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await noticed(page, 'success', 'Added 192.0.2.0/24 (inactive)');
    await row('192.0.2.0/24').waitFor();
    expect(await valuesOf()).toEqual(['203.0.113.5 Alice at the office', '192.0.2.0/24 (inactive) Branch A']);

    // The API still has the last word: a duplicate is refused with its message, in red.
    await page.getByRole('button', { name: 'Add IP', exact: true }).click();
    await page.getByLabel('IP address or DNS name').fill('203.0.113.5');
    await page.getByRole('button', { name: 'Save' }).click();
    await noticed(page, 'failure', '203.0.113.5 is already in acme/sip');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('edits an entry, enables and disables it, and deletes it after asking', async () => {
    await row('192.0.2.0/24').getByRole('button', { name: 'Edit 192.0.2.0/24' }).click();
    await page.getByLabel('Description', { exact: true }).fill('Branch A, 2nd floor');
    await page.getByLabel('Active', { exact: true }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await noticed(page, 'success', 'Saved 192.0.2.0/24 (active)');
    await expect.poll(valuesOf).toEqual(['203.0.113.5 Alice at the office', '192.0.2.0/24 Branch A, 2nd floor']);

    await row('192.0.2.0/24').getByRole('button', { name: 'Disable 192.0.2.0/24' }).click();
    await noticed(page, 'success', '192.0.2.0/24 disabled');
    expect((await stored()).entries.find((e) => e.value === '192.0.2.0/24')?.active).toBe(false);
    await row('192.0.2.0/24').getByRole('button', { name: 'Enable 192.0.2.0/24' }).click();
    await noticed(page, 'success', '192.0.2.0/24 enabled');

    await row('192.0.2.0/24').getByRole('button', { name: 'Delete 192.0.2.0/24' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.textContent()).toContain('Delete 192.0.2.0/24?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await valuesOf()).toHaveLength(2);
    await row('192.0.2.0/24').getByRole('button', { name: 'Delete 192.0.2.0/24' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await noticed(page, 'success', 'Deleted 192.0.2.0/24');
    expect(await valuesOf()).toEqual(['203.0.113.5 Alice at the office']);
  });
});

describe('console: mass insert', () => {
  it('shows every bad line with its number before anything is written, and skips them when told', async () => {
    await page.getByRole('button', { name: 'Mass insert' }).click();
    const lines = ['192.0.2.10 Desk 10', '010.0.0.1 Octal', '192.0.2.11 Desk 11, 192.0.2.300 Bad', '# a comment', 'agent7.dyn.test Anna home'].join('\n');
    await page.getByLabel(/^Entries, one a line/).fill(lines);
    const problems = page.locator('#mass-problems');
    await expect.poll(() => problems.textContent()).toContain('2 invalid lines');
    expect(await problems.textContent()).toContain('line 2: "010.0.0.1"');
    expect(await problems.textContent()).toContain('line 3: "192.0.2.300"');
    // The notice of the last change would cover part of the form in a full-page picture.
    await page.getByRole('button', { name: 'Dismiss this notice' }).click();
    await screenshot(page, 'mass-insert-errors');
    expect(await valuesOf()).toHaveLength(1);

    // Sent anyway: the API refuses the whole import and names the same lines.
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await noticed(page, 'failure', '2 invalid lines, nothing written');
    expect(await valuesOf()).toHaveLength(1);

    await page.getByLabel('Skip invalid lines').check();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await noticed(page, 'success', 'Imported 3 entries; skipped 2 invalid lines');
    expect(await valuesOf()).toEqual(['203.0.113.5 Alice at the office', '192.0.2.10 Desk 10', '192.0.2.11 Desk 11', 'agent7.dyn.test Anna home']);
  });

  it('reads a file, as inactive entries', async () => {
    await page.getByRole('button', { name: 'Mass insert' }).click();
    await page.getByLabel('Or read a file').setInputFiles({ name: 'branches.txt', mimeType: 'text/plain', buffer: Buffer.from('192.0.3.0/24 Branch B\n192.0.4.0/24 Branch C\n') });
    await expect.poll(() => page.locator('#mass-problems').textContent()).toBe('2 entries, all valid');
    await page.getByLabel('State of the new entries').selectOption('inactive');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await noticed(page, 'success', 'Imported 2 entries');
    // Inactive entries are kept in no particular order.
    expect((await valuesOf()).slice(-2).sort()).toEqual(['192.0.3.0/24 (inactive) Branch B', '192.0.4.0/24 (inactive) Branch C']);
  });
});

describe('console: finding and processing entries', () => {
  it('filters by value, state and description, and by one quick search', async () => {
    const count = page.locator('#entry-count');
    await page.getByLabel('Filter by state').selectOption('inactive');
    await expect.poll(() => count.textContent()).toBe('Showing 1–2 of 2 entries');
    await page.getByLabel('Filter by state').selectOption('');
    await page.getByLabel('Filter by IP / name').fill('192.0.2.1');
    await expect.poll(() => count.textContent()).toBe('Showing 1–2 of 2 entries');
    await page.getByLabel('Filter by IP / name').fill('');
    await page.getByLabel('Filter by description').fill('branch');
    await expect.poll(() => count.textContent()).toBe('Showing 1–2 of 2 entries');
    await page.getByLabel('Filter by description').fill('');
    await page.getByLabel('Quick search').fill('anna');
    await expect.poll(() => count.textContent()).toBe('Showing 1–1 of 1 entry');
    await page.getByLabel('Quick search').fill('');
    await expect.poll(() => count.textContent()).toBe('Showing 1–6 of 6 entries');
  });

  it('shows what a DNS name resolves to on hover and on focus', async () => {
    const name = row(AGENT).locator('.name');
    const tip = row(AGENT).getByRole('tooltip');
    expect(await tip.isVisible()).toBe(false);
    await name.hover();
    await expect.poll(() => tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toBe('resolves to 198.51.100.7');
    await page.mouse.move(0, 0);
    await name.focus();
    await expect.poll(() => tip.isVisible()).toBe(true);
  });

  it('enables, disables or deletes the selected entries, or all that match', async () => {
    await row('192.0.2.10').getByRole('checkbox').check();
    await row('192.0.2.11').getByRole('checkbox').check();
    await page.getByLabel('With').selectOption('disable');
    await page.getByRole('button', { name: 'Process' }).click();
    await noticed(page, 'success', 'Disabled 2 entries');
    expect(await valuesOf()).toContain('192.0.2.11 (inactive) Desk 11');

    await page.getByLabel('Quick search').fill('branch');
    await page.getByLabel('With').selectOption('enable');
    await page.getByLabel(/all 2 matching the filter/).check();
    await page.getByRole('button', { name: 'Process' }).click();
    await noticed(page, 'success', 'Enabled 2 entries');
    expect(await valuesOf()).toContain('192.0.3.0/24 Branch B');

    await page.getByLabel('With').selectOption('delete');
    await page.getByRole('button', { name: 'Process' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await noticed(page, 'success', 'Deleted 2 entries');
    await page.getByLabel('Quick search').fill('');
    expect((await valuesOf()).sort()).toEqual(['192.0.2.10 (inactive) Desk 10', '192.0.2.11 (inactive) Desk 11', '203.0.113.5 Alice at the office', 'agent7.dyn.test Anna home']);
  });

  it('exports the list, filtered like the table', async () => {
    await page.getByText('Export').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'JSON (every entry, for import)' }).click()]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.entries.map((e: { value: string }) => e.value).sort()).toEqual(['192.0.2.10', '192.0.2.11', '203.0.113.5', AGENT]);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV (the enforced list)' }).click()]);
    expect(readFileSync((await csv.path())!, 'utf8').trim()).toBe(`203.0.113.5,${AGENT}`);
    // What the export holds imports back as the same entries.
    expect(parseImport(readFileSync((await csv.path())!, 'utf8'), true).map((e) => e.input.value)).toEqual(['203.0.113.5', AGENT]);
  });

  it('checks an address: the decision and the entry or name that made it', async () => {
    await env.store.admin.setEnabled({ name: 'seed' }, { tenant, scope: 'sip' }, true);
    const answer = page.locator('#check-answer');
    await page.getByLabel('Address', { exact: true }).fill('198.51.100.7');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.textContent()).toBe(`198.51.100.7 is allowed: matched ${AGENT} (Anna home), which resolves to 198.51.100.7`);
    await page.getByLabel('Address', { exact: true }).fill('192.0.2.10');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.textContent()).toBe('192.0.2.10 is denied: no active entry contains it');
    await page.getByLabel('Address', { exact: true }).fill('192.0.2.x');
    await expect.poll(() => answer.textContent()).toBe('192.0.2.x is not an IP address');
    // Empty: your own address.
    await page.getByLabel('Address', { exact: true }).fill('');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => answer.textContent()).toBe(`${ME} is allowed: matched ${ME} (Alice at the office)`);
  });
});
