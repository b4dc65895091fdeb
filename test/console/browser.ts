/**
 * A real browser for the console tests: the Debian chromium, headless,
 * driven by playwright-core (which downloads no browser of its own). Each
 * launch gets a fresh --user-data-dir: playwright makes one in the temp
 * folder and removes it on close (it refuses the flag given by hand). A context plays one admin: its client address
 * goes in X-Forwarded-For, believed from the trusted proxy 127.0.0.1 as in
 * the API tests; its viewport is a phone's or a desktop's.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

export const DESKTOP = { width: 1280, height: 900 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Where screenshots go: $SIPWARDEN_ARTIFACTS, or sipwarden-artifacts in the temp folder. */
export const ARTIFACTS = process.env.SIPWARDEN_ARTIFACTS ?? join(tmpdir(), 'sipwarden-artifacts');

export interface Admin {
  /** The client address the API sees. */
  readonly from?: string;
  readonly viewport?: { readonly width: number; readonly height: number };
  /** Only for injecting axe-core, which the console's CSP (rightly) refuses. */
  readonly bypassCSP?: boolean;
}

export class ConsoleBrowser {
  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<ConsoleBrowser> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    return new ConsoleBrowser(browser);
  }

  async context({ from, viewport = DESKTOP, bypassCSP = false }: Admin = {}): Promise<BrowserContext> {
    return this.browser.newContext({ viewport, bypassCSP, ...(from !== undefined && { extraHTTPHeaders: { 'x-forwarded-for': from } }) });
  }

  async page(admin: Admin = {}): Promise<Page> {
    const page = await (await this.context(admin)).newPage();
    // A page that does not show what a test waits for fails in seconds, not at the test's timeout.
    page.setDefaultTimeout(10_000);
    return page;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}

let announced = false;

/** Saves a full-page screenshot as `name`.png among the artifacts, and says where once. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  if (!announced) {
    announced = true;
    process.stdout.write(`console screenshots: ${ARTIFACTS}\n`);
  }
  return path;
}
