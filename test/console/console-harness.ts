/**
 * The console as it runs: the admin API (with its redis-server and live
 * cache, test/admin/api-harness.ts) serving the console, DNS names resolved
 * by a dnsmasq of the test's own, and a headless chromium signing in with
 * real tokens. Pages are driven by their labels and roles, as a keyboard
 * or screen-reader user finds them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { type AdminStore, openAdminStore } from '../../src/admin/open-admin.js';
import { DNS_DEFAULTS } from '../../src/dns/index.js';
import type { RedisStoreConfig } from '../../src/config/store-config.js';
import type { CountryLookup } from '../../src/policy/index.js';
import { type ApiClient, ApiStack } from '../admin/api-harness.js';
import { type Records, Dnsmasq } from '../support/dnsmasq.js';
import { type Admin, ConsoleBrowser } from './browser.js';

export interface ConsoleEnv {
  readonly stack: ApiStack;
  readonly api: ApiClient;
  readonly browser: ConsoleBrowser;
  /** The admin store the API runs on (its names resolved by the test's dnsmasq). */
  readonly store: AdminStore;
  /** The console's address. */
  readonly url: string;
}

/** A stack, its console and a browser for the tests of one file; `countries` is the country data the API decides with (none by default). */
export function consoleForTests(records: Records = {}, countries?: () => CountryLookup): ConsoleEnv {
  const env = {} as { -readonly [K in keyof ConsoleEnv]: ConsoleEnv[K] } & { dns: Dnsmasq };
  beforeAll(async () => {
    [env.dns, env.stack, env.browser] = await Promise.all([Dnsmasq.start(records, 60), ApiStack.start(countries?.()), ConsoleBrowser.launch()]);
    const config: RedisStoreConfig = { ...env.stack.config, dns: { ...DNS_DEFAULTS, servers: [env.dns.server], timeoutMs: 500 } };
    const data = countries?.();
    env.store = (await openAdminStore(config, pino({ level: 'silent' }), 2000, data && (() => data)))!;
    env.api = await env.stack.api({}, env.store.admin);
    env.url = `${env.api.base}/console/`;
  });
  afterAll(async () => {
    await env.browser?.close();
    env.store?.close();
    await env.stack?.close();
    await env.dns?.close();
  });
  return env;
}

/** Opens the console as `admin` and signs in with `token`; the page shows the first scope. */
export async function signedIn(env: ConsoleEnv, token: string, admin: Admin = {}, hash = ''): Promise<Page> {
  const page = await env.browser.page(admin);
  await page.goto(env.url + hash);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

/** Waits for the notice of a change, green (`success`) or red (`failure`), saying `text`. */
export async function noticed(page: Page, kind: 'success' | 'failure', text: string): Promise<void> {
  await page.locator(`.notice-${kind}`, { hasText: text }).waitFor();
}

const require = createRequire(import.meta.url);

/** axe-core's own source, injected into a page whose CSP is bypassed for that check only. */
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

/** The serious and critical accessibility violations axe-core finds on the page as it is. */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  // Browser code as text: the tests are typed for Node, without the DOM's names.
  const violations = (await page.evaluate('axe.run(document).then((result) => result.violations)')) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The little of the DOM `focusedOn` reads (the tests are typed without the DOM's names). */
interface PageGlobals {
  readonly document: { readonly activeElement: { readonly id: string } | null };
}

/** Run in the page (page.waitForFunction(focusedOn, id)): whether the element with that id has the focus. */
export const focusedOn = (id: string) => (globalThis as unknown as PageGlobals).document.activeElement?.id === id;
