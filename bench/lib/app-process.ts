/**
 * The applications the SIP benchmarks measure, each in a process of its own
 * as it is deployed, so /proc charges each its own CPU and nothing of the
 * harness, the other application or the other's heap:
 * - sipwarden's main job, as `npm start` runs it (the build in dist/, see
 *   built-sipwarden.ts), configured by environment variables;
 * - the bare drachtio-srf application (bare-srf-main.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SECRET } from '../../test/e2e/drachtio-server.js';
import { freePort, waitFor } from '../../test/support/net.js';
import type { BareMode } from './bare-srf.js';
import { BUILT_MAIN } from './built-sipwarden.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/**
 * Node options for the applications' processes only, space-separated, to
 * profile them where they run: BENCH_APP_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'
 * (Node refuses --cpu-prof in NODE_OPTIONS). A profile is written as an app stops.
 */
const APP_NODE_ARGS = (process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

/** A child process whose output is kept (the first 8 kB and the last 12 kB) for failure messages. */
export function spawnKept(command: string, args: readonly string[], env?: NodeJS.ProcessEnv, discardStdout = false): { child: ChildProcess; output: () => string; exited: Promise<void> } {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', discardStdout ? 'ignore' : 'pipe', 'pipe'] });
  // A crash's message can be long (drachtio-srf quotes its whole buffer).
  let head = '';
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    if (head.length < 8000) head += text.slice(0, 8000 - head.length);
    tail = (tail + text).slice(-12_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output: () => (head.length < 8000 ? head : `${head}\n[...]\n${tail}`), exited };
}

/** How a child process ended, with the first lines it wrote; undefined while it runs. */
export function deathOf(child: ChildProcess, output: () => string): string | undefined {
  if (child.exitCode === null && child.signalCode === null) return undefined;
  const text = output();
  const error = text.split('\n').find((line) => /Error|invalid|exception/i.test(line)) ?? text.split('\n')[0] ?? '';
  return `exited (${child.exitCode ?? child.signalCode}): ${error.slice(0, 300)}`;
}

export async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(forced);
}

/** The environment of the bench without any setting of sipwarden's: an application gets exactly what it is given. */
export function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(SIPWARDEN_|REDIS_|DRACHTIO_|SIP_)/.test(key)));
}

/** The --edge-env option of the benchmarks: SIPWARDEN_NAME=value pairs, comma-separated, for every sipwarden they start. */
export function parseEdgeEnv(option: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of (option ?? '').split(',').filter((p) => p !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0 || !pair.startsWith('SIPWARDEN_')) throw new Error(`--edge-env: SIPWARDEN_NAME=value pairs, comma-separated (got ${pair})`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

/** An application under test in its own process. */
export interface AppProcess {
  readonly pid: number | undefined;
  /** Undefined while it runs; how it ended (and the start of what it wrote) once it has died. */
  died(): string | undefined;
  stop(): Promise<void>;
}

export interface EdgeProcess extends AppProcess {
  /** Its /metrics text. */
  metrics(): Promise<string>;
}

export interface EdgeProcessOptions {
  readonly redisUrl: string;
  /** drachtio-server's admin port (the secret is the e2e suite's). */
  readonly drachtioPort: number;
  /** host:port of the upstream registrar. */
  readonly upstream: string;
  /** More SIPWARDEN_* settings. */
  readonly env?: Record<string, string>;
  /** Named in the file a crash's output is kept in. */
  readonly label: string;
}

/** Waits up to 30 s for `ready` (undefined: not yet); a process that exits or never gets ready is stopped, and the wait fails saying why. */
async function readyOrStopped(
  what: string,
  { child, output, exited }: ReturnType<typeof spawnKept>,
  ready: () => Promise<true | undefined> | true | undefined,
): Promise<void> {
  try {
    await waitFor(
      `${what} ready`,
      () => {
        if (child.exitCode !== null) throw new Error(`${what} exited: ${output()}`);
        return ready();
      },
      30_000,
      100,
    );
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
}

/** sipwarden's main job; resolves once /health answers 200. Its log (a JSON line per decision at info) goes to /dev/null. */
export async function startEdgeProcess(options: EdgeProcessOptions): Promise<EdgeProcess> {
  const httpPort = await freePort();
  const env = {
    ...baseEnv(),
    REDIS_URL: options.redisUrl,
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(options.drachtioPort),
    DRACHTIO_SECRET: SECRET,
    SIP_UPSTREAM: options.upstream,
    SIPWARDEN_HTTP_HOST: '127.0.0.1',
    SIPWARDEN_HTTP_PORT: String(httpPort),
    SIPWARDEN_ADMIN_API_PORT: '0',
    ...options.env,
  };
  const { child, output, exited } = spawnKept(process.execPath, [...APP_NODE_ARGS, BUILT_MAIN], env, true);
  let stopping = false;
  const crashFile = join(tmpdir(), `sipwarden-${options.label}-edge-${child.pid}.txt`);
  child.once('close', () => {
    if (!stopping) writeFileSync(crashFile, output());
  });
  await readyOrStopped('sipwarden', { child, output, exited }, async () => {
    try {
      return (await fetch(`http://127.0.0.1:${httpPort}/health`)).status === 200 ? true : undefined;
    } catch {
      return undefined;
    }
  });
  return {
    pid: child.pid,
    died: () => {
      const death = deathOf(child, output);
      return death === undefined ? undefined : `${death} (its output: ${crashFile})`;
    },
    metrics: async () => (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text(),
    stop: () => {
      stopping = true;
      return stopChild(child, exited);
    },
  };
}

export interface BareProcess extends AppProcess {
  /** What the next REGISTERs get; resolves once the app has switched. */
  setMode(mode: BareMode): Promise<void>;
}

/** The bare drachtio-srf app, answering `mode`; resolves once it is connected to drachtio-server. */
export async function startBareProcess(drachtioPort: number, upstream: string, mode: BareMode): Promise<BareProcess> {
  const { child, output, exited } = spawnKept(process.execPath, [...APP_NODE_ARGS, '--import', 'tsx', 'bench/lib/bare-srf-main.ts', String(drachtioPort), SECRET, upstream, mode], baseEnv());
  // It writes "mode <mode>" on its standard output for each switch it made.
  let asked = 0;
  let switched = 0;
  child.stdout!.on('data', (chunk: Buffer) => (switched += chunk.toString().split('mode ').length - 1));
  await readyOrStopped('bare drachtio-srf app', { child, output, exited }, () => (output().includes('ready') ? true : undefined));
  return {
    pid: child.pid,
    died: () => deathOf(child, output),
    async setMode(next) {
      child.stdin!.write(`${next}\n`);
      asked++;
      await waitFor('bare app switched mode', () => (switched >= asked ? true : undefined), 5000, 10);
    },
    stop: () => stopChild(child, exited),
  };
}
