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

/** The little of the DOM the measurement uses (these tests are typed without the DOM's names). */
interface PageGlobals {
  readonly document: {
    getElementById(id: string): { readonly textContent: string | null; addEventListener(type: string, listener: () => void, options: object): void } | null;
  };
  readonly performance: { now(): number };
  readonly MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void; disconnect(): void };
}

/**
 * Milliseconds from the input event of a filter typed to the page showing
 * the count it gives, measured in the page by its own clock: the time an
 * admin waits, without the test driver's round trips.
 */
async function filterTime(label: string, text: string, shown: string): Promise<number> {
  const field = page.getByLabel(label);
  const id = (await field.getAttribute('id'))!;
  // A function, not text: the console's CSP forbids eval.
  const measured = page.evaluate(
    ({ id, shown }) =>
      new Promise<number>((resolve) => {
        const { document, performance, MutationObserver } = globalThis as unknown as PageGlobals;
        let typed = 0;
        document.getElementById(id)!.addEventListener('input', () => (typed = performance.now()), { once: true });
        const count = document.getElementById('entry-count')!;
        const observer = new MutationObserver(() => {
          if (typed > 0 && count.textContent === shown) {
            observer.disconnect();
            resolve(performance.now() - typed);
          }
        });
        observer.observe(count, { childList: true, characterData: true, subtree: true });
      }),
    { id, shown },
  );
  await field.fill(text);
  const ms = await Promise.race([measured, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${label} "${text}" never showed ${shown}`)), 10_000))]);
  expect(await page.locator('#entry-count').textContent()).toBe(shown);
  return ms;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('console: a 100,000-entry scope', () => {
  it('opens with the first page of 50 and filters in under 300 ms', async () => {
    const count = page.locator('#entry-count');
    await expect.poll(() => count.textContent(), { timeout: 30_000 }).toBe(`Showing 1–50 of ${ENTRIES} entries`);
    expect(await page.locator('table.entries tbody tr').count()).toBe(50);

    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      times.push(await filterTime('Quick search', 'desk 99999', 'Showing 1–1 of 1 entry'));
      times.push(await filterTime('Quick search', 'desk 1234', 'Showing 1–11 of 11 entries'));
      times.push(await filterTime('Quick search', '', `Showing 1–50 of ${ENTRIES} entries`));
      times.push(await filterTime('Filter by IP / name', '10.0.134.', 'Showing 1–50 of 256 entries'));
      times.push(await filterTime('Filter by IP / name', '', `Showing 1–50 of ${ENTRIES} entries`));
    }
    // Every filter, not a typical one: this suite runs alone, after the others (vitest.config.ts), so no other test takes its CPU.
    const worst = Math.max(...times);
    const shown = times.map((t) => Math.round(t)).join(', ');
    process.stdout.write(`console filter at ${ENTRIES} entries, typing to rows shown: median ${Math.round(median(times))} ms, worst ${Math.round(worst)} ms (${shown})\n`);
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
