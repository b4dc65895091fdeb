/**
 * A scope with 100,000 entries in the console: it opens, filters and pages
 * without the page stalling, since the server filters and pages (the page
 * renders 50 rows) and the API remembers the unchanged list's state. The
 * filter response is measured in the browser, from typing to the rows
 * shown, and must stay under 300 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ImportedEntry } from '../../src/admin/entry-import.js';
import { consoleForTests, signedIn } from './console-harness.js';

const env = consoleForTests();
const tenant = 'big';
const ENTRIES = 100_000;
const LIMIT_MS = 300;
let page: Page;

const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

beforeAll(async () => {
  const entries: ImportedEntry[] = Array.from({ length: ENTRIES }, (_, i) => ({ line: i + 1, input: { value: address(i), active: i % 4 !== 0, description: `desk ${i}` } }));
  const imported = await env.store.admin.importEntries({ name: 'seed' }, { tenant, scope: 'sip' }, entries, false);
  if (!imported.ok) throw new Error(imported.failure.message);
  page = await signedIn(env, await env.stack.token(tenant), {}, `#/${tenant}/sip`);
}, 120_000);

afterAll(() => page?.context().close());

/** The little of the DOM the measurement reads (these tests are typed without the DOM's names). */
interface PageGlobals {
  readonly document: { getElementById(id: string): { readonly textContent: string | null } | null };
}

/** Milliseconds from a filter typed to the count it gives shown, measured by the page's own clock. */
async function filterTime(label: string, text: string, shown: string): Promise<number> {
  const count = page.locator('#entry-count');
  const started = (await page.evaluate('performance.now()')) as number;
  await page.getByLabel(label).fill(text);
  // Checked at every frame in the page (a function, not text: the console's CSP forbids eval).
  const shows = (expected: string) => (globalThis as unknown as PageGlobals).document.getElementById('entry-count')?.textContent === expected;
  await page.waitForFunction(shows, shown, { polling: 'raf' }).catch(async () => {
    throw new Error(`${label} "${text}" showed ${JSON.stringify(await count.textContent())}, not ${JSON.stringify(shown)}`);
  });
  const ended = (await page.evaluate('performance.now()')) as number;
  expect(await count.textContent()).toBe(shown);
  return ended - started;
}

describe('console: a 100,000-entry scope', () => {
  it('opens with the first page of 50 and filters in under 300 ms', async () => {
    const count = page.locator('#entry-count');
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe(`Showing 1–50 of ${ENTRIES} entries`);
    expect(await page.locator('table.entries tbody tr').count()).toBe(50);

    const times = [
      await filterTime('Quick search', 'desk 99999', 'Showing 1–1 of 1 entry'),
      await filterTime('Quick search', 'desk 1234', 'Showing 1–11 of 11 entries'),
      await filterTime('Quick search', '', `Showing 1–50 of ${ENTRIES} entries`),
      await filterTime('Filter by IP / name', '10.0.134.', 'Showing 1–50 of 256 entries'),
      await filterTime('Filter by IP / name', '', `Showing 1–50 of ${ENTRIES} entries`),
    ];
    const worst = Math.max(...times);
    process.stdout.write(`console filter at ${ENTRIES} entries: ${times.map((t) => `${Math.round(t)} ms`).join(', ')} (worst ${Math.round(worst)} ms)\n`);
    expect(worst).toBeLessThan(LIMIT_MS);
  });

  it('pages through the matches', async () => {
    await page.getByLabel('Filter by state').selectOption('inactive');
    const count = page.locator('#entry-count');
    await expect.poll(() => count.textContent()).toBe(`Showing 1–50 of ${ENTRIES / 4} entries`);
    const rows = page.locator('table.entries tbody tr');
    const firstShown = () => rows.first().getByRole('checkbox').getAttribute('aria-label');
    const onFirstPage = await firstShown();
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => count.textContent()).toBe(`Showing 51–100 of ${ENTRIES / 4} entries`);
    expect(await firstShown()).not.toBe(onFirstPage);
    expect(await rows.filter({ hasText: 'Inactive' }).count()).toBe(50);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => count.textContent()).toBe(`Showing 1–50 of ${ENTRIES / 4} entries`);
  });
});
