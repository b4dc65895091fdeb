/**
 * Who is knocking in the console (issue 14): the sources the edges denied,
 * recorded through the edge's own script (RedisDeniedLog.add,
 * record-denied.lua) into the harness's redis-server, shown newest or
 * busiest first and by scope; "Allow" by keyboard with a description, then
 * checked in the stored list, the record and the audit log; the API's
 * refusals shown as it words them; and, for a token of all tenants, the
 * edge's bans (made by ban.lua, as auto-ban makes them) with "Unban".
 * axe-core at desktop and phone width; screenshots among the artifacts.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisBanList } from '../../src/store/ban-list.js';
import type { RedisDeniedLog } from '../../src/store/denied-log.js';
import type { RedisClient } from '../../src/store/redis-connection.js';
import { tenantPath } from '../admin/api-harness.js';
import { DESKTOP, PHONE, screenshot } from './browser.js';
import { consoleForTests, focusedOn, noticed, seriousViolations, signedIn } from './console-harness.js';
import { deniedStores, seen } from '../support/denied-sources.js';

const env = consoleForTests();
const tenant = 'moved.example';
const ME = '192.0.2.10';
let client: RedisClient;
let record: RedisDeniedLog;
let bans: RedisBanList;
let token: string;
let page: Page;


/** The addresses of the rows shown, top to bottom. */
const rows = () => page.locator('table.denied tbody td[data-label="Address"]').allTextContents();
/** A row's Allow button; every source allowed here was denied in the SIP scope. */
const allowButton = (p: Page, address: string) => p.getByRole('button', { name: `Allow ${address} in SIP devices` });

beforeAll(async () => {
  ({ client, record, bans } = await deniedStores(env.stack.redis.url));
  await record.add([
    seen('198.51.100.20', 40, 1),
    seen('203.0.113.9', 9000, 5, { userAgent: 'friendly-scanner', method: 'OPTIONS' }),
    seen('192.0.2.44', 3, 10, { scope: 'webrtc', transport: 'wss', userAgent: 'Mozilla/5.0', domain: 'app.moved.example' }),
  ]);
  token = await env.stack.token(tenant, 'owner');
  page = await signedIn(env, token, { from: ME }, `#/${tenant}/denied`);
  await page.locator('table.denied').waitFor();
});

afterAll(async () => {
  await page?.context().close();
  client?.disconnect();
});

describe('console: who is knocking', () => {
  it('lists the denied sources newest first, busiest first, and by scope, each with its last request', async () => {
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Who is knocking');
    await expect.poll(rows).toEqual(['198.51.100.20', '203.0.113.9', '192.0.2.44']);
    expect(await page.locator('#denied-count').textContent()).toBe('3 denied sources');
    const first = page.locator('table.denied tbody tr').first();
    expect(await first.locator('td').allTextContents()).toEqual(['198.51.100.20', 'SIP devices', '40', '2026-12-03 09:00:00 UTC', '2026-12-03 09:59:00 UTC', 'REGISTER udp', 'Yealink SIP-T46U', 'pbx.moved.example', 'Allow']);
    await page.getByLabel('Order').selectOption('busiest');
    await expect.poll(rows).toEqual(['203.0.113.9', '198.51.100.20', '192.0.2.44']);
    await page.getByLabel('Scope').selectOption('webrtc');
    await expect.poll(rows).toEqual(['192.0.2.44']);
    await page.getByLabel('Scope').selectOption('');
    await page.getByLabel('Order').selectOption('recent');
    await expect.poll(rows).toEqual(['198.51.100.20', '203.0.113.9', '192.0.2.44']);
    // A token of one tenant is shown no bans: the API serves them to tokens of all tenants only.
    expect(await page.getByRole('heading', { name: /Banned sources/ }).count()).toBe(0);
    await screenshot(page, 'who-is-knocking');
  });

  it('allows a source by keyboard with a description: in the list, gone from the record, in the audit log', async () => {
    await allowButton(page, '198.51.100.20').focus();
    await page.keyboard.press('Enter');
    // The form takes the focus at its field.
    await page.waitForFunction(focusedOn, 'allow-description');
    await page.keyboard.type('Reception phone, new office');
    await page.keyboard.press('Enter');
    await noticed(page, 'success', 'Allowed 198.51.100.20 in SIP devices ("Reception phone, new office").');
    await expect.poll(rows).toEqual(['203.0.113.9', '192.0.2.44']);

    expect((await env.stack.stored(tenant, 'sip')).entries).toMatchObject([{ value: '198.51.100.20', active: true, description: 'Reception phone, new office' }]);
    expect((await record.read(tenant)).map((s) => s.address)).toEqual(['203.0.113.9', '192.0.2.44']);
    const audit = await env.api.call('GET', tenantPath(tenant, '/audit'), { token });
    expect(audit.body.records[0]).toMatchObject({ scope: 'sip', action: 'add', added: ['198.51.100.20'], address: ME, actor: expect.stringContaining('owner (token ') });
    expect(audit.body.records[0].actor).toContain('console');
  });

  it('checks the description as typed, and shows the refusal of the API as it words it', async () => {
    await allowButton(page, '203.0.113.9').click();
    await page.getByLabel('Description').fill('x'.repeat(201));
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await page.locator('#allow-description-problem', { hasText: 'at most 200 characters (this has 201)' }).waitFor();
    // Added behind the page's back: the one-step allow now finds it in the list.
    await env.store.admin.addEntry({ name: 'another admin', address: ME }, { tenant, scope: 'sip' }, { value: '203.0.113.9', active: true });
    await page.getByLabel('Description').fill('not a scanner after all');
    await page.getByRole('button', { name: 'Allow', exact: true }).click();
    await noticed(page, 'failure', `203.0.113.9 is already in ${tenant}/sip`);
    // The form stays open with what was typed, to be cancelled or tried again.
    expect(await page.getByLabel('Description').inputValue()).toBe('not a scanner after all');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('heading', { name: /^Allow / }).count()).toBe(0);
  });

  it('shows 100 sources at a time, and more on asking', async () => {
    const busy = 'busy.example';
    await record.add(Array.from({ length: 101 }, (_, i) => ({ ...seen(`198.51.100.${i}`, 1, i), tenant: busy })));
    const other = await signedIn(env, await env.stack.token(busy, 'busy'), { from: ME }, `#/${busy}/denied`);
    const count = other.locator('#denied-count');
    await expect.poll(() => count.textContent()).toBe('100 denied sources shown; more were recorded');
    expect(await other.locator('table.denied tbody tr').last().locator('td').first().textContent()).toBe('198.51.100.99');
    await other.getByRole('button', { name: 'Show 100 more' }).click();
    await expect.poll(() => count.textContent()).toBe('101 denied sources');
    expect(await other.getByRole('button', { name: 'Show 100 more' }).count()).toBe(0);
    await other.context().close();
  });

  it('says so when nothing was denied', async () => {
    const quiet = await env.stack.token('quiet.example', 'quiet');
    const other = await signedIn(env, quiet, { from: ME }, '#/quiet.example/denied');
    await other.getByText('No denied sources recorded: nothing was refused lately.').waitFor();
    expect(await other.locator('table.denied').count()).toBe(0);
    await other.context().close();
  });
});

describe('console: the edge’s bans, for a token of all tenants', () => {
  let operator: Page;
  beforeAll(async () => {
    await bans.ban('203.0.113.66', Date.now() + 3_600_000, { at: Date.now(), reason: 'denied 101 times within 10 s', tenant, scope: 'sip', denials: 101, by: 'edge-1' });
    operator = await signedIn(env, await env.stack.token('*', 'operator'), { from: ME, bypassCSP: true }, `#/${tenant}/denied`);
    await operator.locator('table.bans').waitFor();
  });
  afterAll(() => operator?.context().close());

  it('shows the bans and why, and unbans one after asking', async () => {
    const ban = operator.locator('table.bans tbody tr');
    expect(await ban.locator('td').allTextContents()).toEqual(['203.0.113.66', expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/), 'denied 101 times within 10 s', `${tenant}/sip`, 'edge-1', 'Unban']);
    expect(await seriousViolations(operator), 'desktop').toEqual([]);
    await screenshot(operator, 'who-is-knocking-bans');
    await operator.getByRole('button', { name: 'Unban 203.0.113.66' }).click();
    const dialog = operator.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('at its next sweep');
    await dialog.getByRole('button', { name: 'Unban' }).click();
    await noticed(operator, 'success', 'Unbanned 203.0.113.66.');
    await operator.getByText('No source is banned.').waitFor();
    expect(await bans.list()).toEqual([]);
  });

  it('has no serious accessibility violation with the allow form open, and fits a phone', async () => {
    await allowButton(operator, '203.0.113.9').click();
    expect(await seriousViolations(operator), 'allow form').toEqual([]);
    await operator.setViewportSize(PHONE);
    const width = (await operator.evaluate('document.documentElement.scrollWidth')) as number;
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(await seriousViolations(operator), 'phone').toEqual([]);
    await screenshot(operator, 'phone-who-is-knocking');
    await operator.setViewportSize(DESKTOP);
  });
});
