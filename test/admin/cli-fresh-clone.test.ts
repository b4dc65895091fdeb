/**
 * README's steps as a newcomer runs them, in a fresh clone of the committed
 * HEAD: the CLI section's commands (`npm ci && npm run build`, `npm link`)
 * make `sipwarden` runnable by name, and `npm start` with nothing configured
 * says what to set and what to start. npm works offline from this machine's
 * cache, and its global folder is a temp dir of the test's own, so nothing
 * outside that dir changes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_UP } from '../../src/config/start-advice.js';
import { freePort } from '../support/net.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let clone: string;
/** The npm global folder `npm link` writes to. */
let prefix: string;
let npmCache: string;

interface ShellRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A login shell's environment: no npm_* variables of the `npm test` running
 * this, no node_modules/.bin on the PATH, npm's global bin first on it.
 */
function newcomerEnv(npmPrefix: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const path = (process.env.PATH ?? '').split(delimiter).filter((p) => p !== '' && !p.includes('node_modules'));
  return {
    PATH: [join(npmPrefix, 'bin'), dirname(process.execPath), ...path].join(delimiter),
    HOME: process.env.HOME ?? dir,
    NPM_CONFIG_PREFIX: npmPrefix,
    NPM_CONFIG_CACHE: npmCache,
    NPM_CONFIG_OFFLINE: 'true',
    NPM_CONFIG_AUDIT: 'false',
    NPM_CONFIG_FUND: 'false',
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    ...extra,
  };
}

function sh(script: string, cwd: string, env: Record<string, string> = newcomerEnv(prefix)): Promise<ShellRun> {
  const child = spawn('sh', ['-c', script], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first ```sh block after `heading` in the clone's README. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(clone, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error(`README has no sh block under ${heading}`);
  return block;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sipwarden-clone-'));
  clone = join(dir, 'sipwarden');
  prefix = join(dir, 'npm-global');
  npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  execFileSync('git', ['clone', '--quiet', ROOT, clone]);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

// npm ci in the clone installs the console's build and browser-test tools too (esbuild, playwright-core): minutes on a loaded two-core machine.
describe('a fresh clone, by README', { timeout: 300_000 }, () => {
  it("makes `sipwarden` runnable by name with the CLI section's commands", async () => {
    const steps = readmeBlock('### CLI');
    expect(steps).toMatch(/^npm link\b/m);
    const setup = await sh(`set -e\n${steps}`, clone);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toContain('Usage: sipwarden [options] [command]');

    // A new shell, elsewhere: found by name on the PATH, in npm's global bin.
    const byName = await sh('command -v sipwarden && sipwarden --help', dir);
    expect(byName.code, byName.stderr).toBe(0);
    expect(byName.stdout).toMatch(new RegExp(`^${join(prefix, 'bin', 'sipwarden')}\n`));
    expect(byName.stdout).toContain('Usage: sipwarden [options] [command]');
  });

  it('runs `npx sipwarden` inside the clone without a link', async () => {
    const npx = await sh('npx sipwarden check --help', join(clone, 'src'), newcomerEnv(join(dir, 'npm-empty')));
    expect(npx.code, npx.stderr).toBe(0);
    expect(npx.stdout).toContain('Usage: sipwarden check [options] <ip>');
    expect(npx.stdout).toContain('--exit-status');
  });

  it('`npm start` with nothing set stops at once, naming each variable and what to start', async () => {
    expect(readmeBlock('## Two commands').split('\n')[0]).toMatch(new RegExp(`^${COMPOSE_UP} +#`));
    const started = await sh('npm start', clone);
    expect(started.code).toBe(2);
    expect(started.stderr).toMatch(/^ {2}DRACHTIO_SECRET is not set: .*, e\.g\. DRACHTIO_SECRET=cymru$/m);
    expect(started.stderr).toMatch(/^ {2}SIP_UPSTREAM is not set: .*, e\.g\. SIP_UPSTREAM=sip:pbx\.internal:5060$/m);
    expect(started.stderr).toContain('a drachtio-server takes the SIP traffic');
    expect(started.stderr).toContain('\n  DRACHTIO_SECRET=cymru SIP_UPSTREAM=sip:pbx.internal:5060 npm start\n');
    expect(started.stderr).toContain(`\n  ${COMPOSE_UP}\n`);
  });

  it("`npm start` with README's variables and no drachtio-server runs, saying what it waits for", async () => {
    const exported = /^export (DRACHTIO_SECRET=\S+ SIP_UPSTREAM=\S+)/m.exec(readFileSync(join(clone, 'README.md'), 'utf8'))?.[1];
    expect(exported).toBeDefined();
    // Free ports for what would clash with other suites; no REDIS_URL, so no admin API either.
    const drachtioPort = await freePort();
    const env = newcomerEnv(prefix, { SIPWARDEN_HTTP_PORT: '0', DRACHTIO_PORT: String(drachtioPort) });
    const child = spawn('sh', ['-c', `export ${exported} && exec npm start`], { cwd: clone, env, detached: true });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      const deadline = Date.now() + 20_000;
      while (!stdout.includes('drachtio-server unreachable') && child.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(child.exitCode).toBeNull();
      expect(stdout).toMatch(new RegExp(`"port":${drachtioPort}.*"msg":"drachtio-server unreachable; SIP requests cannot be served until it is back"`));
    } finally {
      // The group: npm, its shell and node.
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await closed;
    }
  });
});
