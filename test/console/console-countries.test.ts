/**
 * The country picker in the console (issue 12 in issue 13's pages): codes
 * and names added, checked as typed with the API's parser, saved, switched
 * on, removed behind the lockout confirmation, and the address check naming
 * the country; each step checked on the page and in Redis. A test .mmdb
 * places the documentation ranges: 203.0.113.0/24 in France (the admin's
 * address), 198.51.100.0/24 in Germany.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCountryData } from '../../src/geo/index.js';
import { countryMmdb } from '../support/mmdb-file.js';
import { screenshot } from './browser.js';
import { consoleForTests, noticed, seriousViolations, signedIn } from './console-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'sipwarden-console-countries-'));
const mmdb = join(dir, 'countries.mmdb');
writeFileSync(mmdb, countryMmdb([['203.0.113.0/24', 'FR'], ['198.51.100.0/24', 'DE']]));
const env = consoleForTests({}, () => loadCountryData(mmdb).lookup);
const tenant = 'dialer';
const ME = '203.0.113.5';
let page: Page;

const stored = async () => (await env.stack.stored(tenant, 'sip')).countries;
const panel = () => page.locator('section.countries');
const addCountry = async (text: string) => {
  await panel().getByLabel('Add a country').fill(text);
  await panel().getByRole('button', { name: 'Add country' }).click();
};

beforeAll(async () => {
  page = await signedIn(env, await env.stack.token(tenant), { from: ME }, `#/${tenant}/sip`);
  await panel().waitFor();
});

afterAll(async () => {
  await page?.context().close();
  rmSync(dir, { recursive: true, force: true });
});

describe('console: the country picker', () => {
  it('adds countries by code or name, refuses what is no country naming it, and saves them', async () => {
    await addCountry('de');
    await addCountry('France');
    await addCountry('XX');
    expect(await panel().getByRole('alert').textContent()).toBe('not ISO 3166-1 alpha-2 country codes: "XX"');
    expect(await panel().getByRole('listitem').allTextContents()).toEqual(['Germany (DE)×', 'France (FR)×']);
    expect(await stored()).toEqual({ enabled: false, codes: [] });
    await panel().getByRole('button', { name: 'Update countries' }).click();
    await noticed(page, 'success', 'Allowed countries saved: DE, FR.');
    expect(await stored()).toEqual({ enabled: false, codes: ['DE', 'FR'] });
    expect(await env.stack.redis.client().get(`sipwarden:{${tenant}}:sip:countries`)).toBe('DE,FR');
  });

  it('switches them on, and asks before removing the country that keeps you in', async () => {
    await panel().getByRole('switch').click();
    await noticed(page, 'success', 'Countries are on');
    expect(await stored()).toEqual({ enabled: true, codes: ['DE', 'FR'] });
    await screenshot(page, 'countries');
    await panel().getByRole('button', { name: 'Remove France' }).click();
    await panel().getByRole('button', { name: 'Update countries' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(`this change would deny your own address ${ME} in ${tenant}/sip`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await noticed(page, 'failure', 'Cancelled: nothing was changed.');
    expect((await stored()).codes).toEqual(['DE', 'FR']);
    await panel().getByRole('button', { name: 'Update countries' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Lock me out anyway' }).click();
    await noticed(page, 'success', 'Allowed countries saved: DE.');
    expect(await stored()).toEqual({ enabled: true, codes: ['DE'] });
  });

  it('names the country that decided in the address check, and has no serious accessibility violations', async () => {
    await page.getByLabel('Address', { exact: true }).fill('198.51.100.9');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByText('198.51.100.9 is allowed: its country DE is an allowed country').waitFor();
    await page.getByLabel('Address', { exact: true }).fill(ME);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByText(`${ME} is denied: no active entry contains it (country FR)`).waitFor();
    const axePage = await signedIn(env, await env.stack.token(tenant), { from: '198.51.100.9', bypassCSP: true }, `#/${tenant}/sip`);
    await axePage.locator('section.countries').waitFor();
    expect(await seriousViolations(axePage)).toEqual([]);
    await axePage.context().close();
  });
});
