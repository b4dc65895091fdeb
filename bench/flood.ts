/**
 * Flood benchmark (issue 14): `npm run bench:flood` (needs drachtio-server:
 * DRACHTIO_BIN or `drachtio` on PATH, sipp and redis-server; Kamailio is
 * measured when `kamailio` is on PATH).
 *
 * Everything runs on this machine, over UDP on loopback, each system in
 * processes of its own so that /proc gives each one's CPU:
 *   sipwarden  as `npm start` runs it (node dist/main.js, the build, configured
 *              by environment variables, its log lines to /dev/null), lists in
 *              a real redis-server (a sip list of --list-size entries that
 *              includes 127.0.0.2), connected to its own drachtio-server;
 *   bare       a drachtio-srf app answering every REGISTER 403 with no check
 *              (lib/bare-srf-main.ts), on a drachtio-server of its own;
 *   kamailio   bench/kamailio/kamailio.cfg: the permissions module's address
 *              table from a file (127.0.0.2 allowed), 403 from sl otherwise,
 *              stateless, 2 workers.
 *
 * (1) Saturation: sipp floods denied REGISTERs (lib/flood-register.xml, each
 * sent once) from 127.0.0.3 and 127.0.0.4 at --saturation-rate each for
 * --saturation-seconds, and counts what comes back: 403s per second, plus,
 * for drachtio-server started with the flood sources on its blacklist, the
 * requests it dropped (received by its socket, never answered). Systems:
 * bare, sipwarden (auto-ban off: every request decided, denied and logged),
 * sipwarden with auto-ban on (the sources banned during the warm-up, then
 * answered 403 first thing), sipwarden pre-banned (drachtio-server started
 * with the sources already in sipwarden:{bans}, so it drops them in C++:
 * NOT reachable live with drachtio-server v0.9.10, which reads its blacklist
 * once at start; see README, Auto-ban), sipwarden with the kernel ban sink
 * (auto-ban on and SIPWARDEN_BAN_SINK=nftables: the sources banned during the
 * warm-up, then dropped by nftables before drachtio-server; needs nft and the
 * right to use it, skipped otherwise), kamailio.
 *
 * (2) Flood: 127.0.0.2 registers at --allowed-rate (200 OK from a sipp UAS
 * behind the edge) for --seconds while 127.0.0.3 and 127.0.0.4 flood at
 * --flood-rate each, with auto-ban off, on, on with the kernel sink (its
 * per-source rate limit on its default, SIPWARDEN_NFT_SOURCE_RATE=200), and
 * pre-banned, plus a run with
 * no flood (what the allowed client alone costs). Per run: the allowed
 * client's success (200s / sent) and p50/p99 (sipp's message trace), the
 * flood actually offered and answered, the CPU of the edge, of its
 * drachtio-server and of the flood generators in % of one core, and with
 * auto-ban on how long from the flood's start until each source is on the
 * ban list in Redis (and, with the kernel sink, in the kernel's set).
 *
 * The generators run on the same cores as the systems under test: offered
 * and answered rates are printed side by side, with the load average.
 *
 * Options: --seconds 20  --saturation-seconds 5  --saturation-rate 6000
 *          --flood-rate 5000  --allowed-rate 20  --threshold 100  --window 10
 *          --list-size 10000  --skip-saturation  --skip-flood
 *          --edge-env SIPWARDEN_SOURCE_RATE_ACTION=drop,...  (added to every sipwarden's
 *          environment; sipwarden otherwise runs on its defaults)
 */
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { type DrachtioServer, startDrachtio } from '../test/e2e/drachtio-server.js';
import { type SippUas, startUas } from '../test/e2e/sipp.js';
import { freePort, waitFor } from '../test/support/net.js';
import { RedisServer } from '../test/support/redis-server.js';
import { baseEnv, deathOf, parseEdgeEnv, spawnKept, startBareProcess, startEdgeProcess, stopChild } from './lib/app-process.js';
import { measuredCommit } from './lib/commit.js';
import { onPath, sipBenchBinary, toolVersion } from './lib/tools.js';
import { type FloodRun, startFlood } from './lib/flood-load.js';
import { formatCount, formatTable } from './lib/measure.js';
import { generate } from './lib/policy-data.js';
import { processCpuUs, treeCpuUs, udpDrops } from './lib/proc.js';
import { runRegisterLoad } from './lib/sipp-load.js';
import { runNft } from '../src/shed/nft-command.js';
import { parseKernelTable } from '../src/shed/nft-listing.js';
import { deleteTable, nftUnusable, uniqueTable } from '../test/support/nftables.js';

// ---------------------------------------------------------------- settings

const KAMAILIO_CFG = fileURLToPath(new URL('./kamailio/kamailio.cfg', import.meta.url));
const ALLOWED = '127.0.0.2';
const FLOODERS = ['127.0.0.3', '127.0.0.4'] as const;
const TENANT = 'acme';
const DOMAIN = 'acme.example';
const BANS = 'sipwarden:{bans}';
/** The kernel sink's table: this run's own, deleted at the end whatever happens. */
const NFT_TABLE = uniqueTable('flood');
/** A flood REGISTER with no 403 after this is unanswered. */
const FLOOD_ANSWER_TIMEOUT_MS = 1000;
/** The allowed client gives up on a REGISTER after this. */
const ALLOWED_ANSWER_TIMEOUT_MS = 5000;
const WARM_UP_RATE = 1000;
const WARM_UP_S = 2;
const SETTLE_MS = 1500;
const DRACHTIO_LOGGING = { logLevel: 'notice', sofiaLogLevel: 1 } as const;

interface Options {
  readonly seconds: number;
  readonly saturationSeconds: number;
  readonly saturationRate: number;
  readonly floodRate: number;
  readonly allowedRate: number;
  readonly threshold: number;
  readonly windowS: number;
  readonly listSize: number;
  readonly saturation: boolean;
  readonly flood: boolean;
  /** More environment for every sipwarden started (--edge-env KEY=VALUE,...). */
  readonly edgeEnv: Record<string, string>;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      'saturation-seconds': { type: 'string' },
      'saturation-rate': { type: 'string' },
      'flood-rate': { type: 'string' },
      'allowed-rate': { type: 'string' },
      threshold: { type: 'string' },
      window: { type: 'string' },
      'list-size': { type: 'string' },
      'skip-saturation': { type: 'boolean' },
      'skip-flood': { type: 'boolean' },
      'edge-env': { type: 'string' },
    },
  });
  const edgeEnv = parseEdgeEnv(values['edge-env']);
  const o: Options = {
    seconds: Number(values.seconds ?? 20),
    saturationSeconds: Number(values['saturation-seconds'] ?? 5),
    saturationRate: Number(values['saturation-rate'] ?? 6000),
    floodRate: Number(values['flood-rate'] ?? 5000),
    allowedRate: Number(values['allowed-rate'] ?? 20),
    threshold: Number(values.threshold ?? 100),
    windowS: Number(values.window ?? 10),
    listSize: Number(values['list-size'] ?? 10_000),
    saturation: values['skip-saturation'] !== true,
    flood: values['skip-flood'] !== true,
    edgeEnv,
  };
  if (!(o.seconds >= 3 && o.seconds <= 120)) throw new Error('--seconds: 3-120');
  if (!(o.saturationSeconds >= 3 && o.saturationSeconds <= 60)) throw new Error('--saturation-seconds: 3-60');
  for (const [name, value] of [['--saturation-rate', o.saturationRate], ['--flood-rate', o.floodRate]] as const) {
    if (!(value >= 100 && value <= 50_000)) throw new Error(`${name}: REGISTERs per second per source, 100-50,000`);
  }
  if (!(o.allowedRate >= 1 && o.allowedRate <= 1000)) throw new Error('--allowed-rate: 1-1000');
  if (!(Number.isInteger(o.threshold) && o.threshold >= 1)) throw new Error('--threshold: a positive integer');
  if (!(o.windowS >= 1)) throw new Error('--window: seconds, at least 1');
  if (!(o.listSize >= 1 && o.listSize <= 1_000_000)) throw new Error('--list-size: 1-1,000,000');
  return o;
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- one REGISTER, by hand

/**
 * Sends one REGISTER from `from` to 127.0.0.1:`port` and resolves with the
 * first final status, or undefined after `timeoutMs` (dropped).
 */
function probe(from: string, port: number, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const finish = (status: number | undefined) => {
      clearTimeout(timer);
      socket.close();
      resolve(status);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('message', (message) => {
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(message.toString('latin1'))?.[1] ?? 0);
      if (status >= 200) finish(status);
    });
    socket.bind(0, from, () => {
      const local = socket.address().port;
      const tag = Math.random().toString(36).slice(2);
      const request = [
        `REGISTER sip:${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/UDP ${from}:${local};branch=z9hG4bK${tag};rport`,
        'Max-Forwards: 70',
        `From: <sip:probe@${DOMAIN}>;tag=${tag}`,
        `To: <sip:probe@${DOMAIN}>`,
        `Call-ID: probe-${tag}@${from}`,
        'CSeq: 1 REGISTER',
        `Contact: <sip:probe@${from}:${local}>`,
        'Expires: 300',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(request, port, '127.0.0.1');
    });
  });
}

async function expectStatus(what: string, from: string, port: number, status: number | undefined): Promise<void> {
  const got = await probe(from, port, status === undefined ? 700 : 3000);
  if (got !== status) throw new Error(`${what}: a REGISTER from ${from} got ${got ?? 'no answer'}, expected ${status ?? 'no answer'}`);
}

// ---------------------------------------------------------------- the systems under test

/** A process under test: its pid (and descendants) for /proc, the SIP port it is reached on. */
interface Server {
  readonly name: string;
  /** CPU of the application (the edge, the bare app, Kamailio's processes), µs. */
  appCpuUs(): number | undefined;
  /** CPU of its drachtio-server, µs; undefined for Kamailio. */
  drachtioCpuUs(): number | undefined;
  readonly sipPort: number;
  /** Undefined while the application runs; how it ended (and the start of what it wrote) once it has died. */
  died(): string | undefined;
  /** sipwarden's counters from /metrics; undefined for the others. */
  metrics?(): Promise<EdgeCounters>;
  stop(): Promise<void>;
}

interface EdgeCounters {
  readonly banned: number;
  readonly decisions: number;
}

function sumMetric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** --edge-env, set once the options are read. */
let edgeEnvOption: Record<string, string> = {};

/** sipwarden's main job in a process of its own, as `npm start` runs it. */
async function startEdge(redis: RedisServer, drachtio: DrachtioServer, uas: SippUas, extra: Record<string, string>): Promise<Server> {
  const edge = await startEdgeProcess({ redisUrl: redis.url, drachtioPort: drachtio.ports.admin, upstream: `127.0.0.1:${uas.port}`, env: { ...extra, ...edgeEnvOption }, label: 'flood' });
  return {
    name: 'sipwarden',
    appCpuUs: () => processCpuUs(edge.pid),
    drachtioCpuUs: () => processCpuUs(drachtio.pid),
    sipPort: drachtio.ports.sip,
    died: () => edge.died(),
    async metrics() {
      if (edge.died() !== undefined) return { banned: Number.NaN, decisions: Number.NaN };
      const text = await edge.metrics();
      return { banned: sumMetric(text, 'sipwarden_sip_banned_total'), decisions: sumMetric(text, 'sipwarden_sip_access_decisions_total') };
    },
    stop: () => edge.stop(),
  };
}

async function startBare(drachtio: DrachtioServer, uas: SippUas): Promise<Server> {
  const bare = await startBareProcess(drachtio.ports.admin, `127.0.0.1:${uas.port}`, 'denied');
  return { name: 'bare', died: () => bare.died(), appCpuUs: () => processCpuUs(bare.pid), drachtioCpuUs: () => processCpuUs(drachtio.pid), sipPort: drachtio.ports.sip, stop: () => bare.stop() };
}

/** Kamailio in the foreground with 2 workers on a free loopback port; CPU is the main process and its children. */
async function startKamailio(): Promise<Server> {
  const port = await freePort();
  const run = mkdtempSync(join(tmpdir(), 'sipwarden-kamailio-'));
  const { child, output, exited } = spawnKept('kamailio', ['-f', KAMAILIO_CFG, '-DD', '-E', '-l', `udp:127.0.0.1:${port}`, '-Y', run, '-n', '2', '-m', '64', '-M', '8'], baseEnv());
  try {
    await waitFor('kamailio answering', async () => {
      if (child.exitCode !== null) throw new Error(`kamailio exited: ${output()}`);
      return (await probe(ALLOWED, port, 300)) === 200 ? true : undefined;
    }, 15_000, 100);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
  return { name: 'kamailio', died: () => deathOf(child, output), appCpuUs: () => treeCpuUs(child.pid), drachtioCpuUs: () => undefined, sipPort: port, stop: () => stopChild(child, exited) };
}

/** The sip list and domain as an operator pushes them, on an emptied Redis (no bans, no denied records). */
async function resetRedis(redis: Redis, listSize: number, banned: readonly string[] = []): Promise<void> {
  await redis.flushall();
  await redis.set(`sipwarden:{${TENANT}}:sip:cidrs`, `${generate(listSize - 1, 'ipv4').text},${ALLOWED}`);
  await redis.hset('sipwarden:domains', { [DOMAIN]: TENANT });
  if (banned.length > 0) await redis.sadd(BANS, ...banned);
}

// ---------------------------------------------------------------- measuring

/** CPU of the system under test and of the generators over a window. */
interface CpuWindow {
  readonly wallMs: number;
  /** % of one core. */
  readonly app: number | undefined;
  readonly drachtio: number | undefined;
  readonly generators: number | undefined;
}

function cpuSampler(server: Server, generatorPids: readonly (number | undefined)[]) {
  const take = () => ({
    at: performance.now(),
    app: server.appCpuUs(),
    drachtio: server.drachtioCpuUs(),
    generators: generatorPids.map((pid) => processCpuUs(pid)),
  });
  const start = take();
  return {
    start,
    end(): CpuWindow {
      const end = take();
      const wallMs = end.at - start.at;
      const pct = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : ((b - a) / 1000 / wallMs) * 100);
      const gens = end.generators.map((value, i) => pct(start.generators[i], value));
      return {
        wallMs,
        app: pct(start.app, end.app),
        drachtio: pct(start.drachtio, end.drachtio),
        generators: gens.every((g) => g !== undefined) ? gens.reduce((a, b) => a + b!, 0) : undefined,
      };
    },
  };
}

/** What the floods of one run offered and got back. */
interface FloodTotals {
  /** REGISTERs sent per second, both sources, while sending. */
  readonly offeredPerSecond: number;
  /** 403s back per second (in time and late), both sources. */
  readonly answeredPerSecond: number;
  /** Sent requests the deployment's socket received and never answered, per second: dropped on purpose (blacklist) or lost inside. */
  readonly droppedPerSecond: number;
  /** Datagrams the kernel dropped at the server's socket (receive buffer full), per second. */
  readonly socketLossPerSecond: number;
  /** Answers the kernel dropped at the generators' sockets, per second (counted as answered, not dropped). */
  readonly generatorLossPerSecond: number;
  readonly sent: number;
  readonly answered: number;
  readonly unanswered: number;
  readonly unexpected: number;
  /** Each generator's offered rate, for the record. */
  readonly perSource: readonly { from: string; offered: number; answered: number }[];
}

function floodTotals(runs: readonly FloodRun[], socketDrops: number, generatorDrops: number, seconds: number): FloodTotals {
  const sent = runs.reduce((n, r) => n + (r.total?.created ?? 0), 0);
  const answered = runs.reduce((n, r) => n + (r.total ? r.total.answered + r.total.late : 0), 0);
  const unexpected = runs.reduce((n, r) => n + (r.total?.unexpected ?? 0), 0);
  const offeredPerSecond = runs.reduce((n, r) => n + r.offeredPerSecond, 0);
  const answeredPerSecond = runs.reduce((n, r) => n + r.answeredPerSecond, 0);
  // Per second of sending: the totals spread over the time it took to send them.
  const sendingS = offeredPerSecond > 0 ? sent / offeredPerSecond : seconds;
  const unanswered = Math.max(0, sent - answered - unexpected);
  return {
    offeredPerSecond,
    answeredPerSecond: answeredPerSecond + generatorDrops / sendingS,
    droppedPerSecond: Math.max(0, unanswered - socketDrops - generatorDrops) / sendingS,
    socketLossPerSecond: socketDrops / sendingS,
    generatorLossPerSecond: generatorDrops / sendingS,
    sent,
    answered,
    unanswered,
    unexpected,
    perSource: runs.map((r) => ({ from: r.from, offered: r.offeredPerSecond, answered: r.answeredPerSecond })),
  };
}

async function floodOnce(server: Server, rate: number, seconds: number, user: string): Promise<{ runs: FloodRun[]; socketDrops: number; generatorDrops: number; cpu: CpuWindow }> {
  const dropsBefore = udpDrops(server.sipPort);
  const ports = [await freePort(FLOODERS[0]), await freePort(FLOODERS[1])];
  const floods = FLOODERS.map((from, i) =>
    startFlood({ from, port: ports[i]!, to: server.sipPort, domain: DOMAIN, user, rate, seconds, answerTimeoutMs: FLOOD_ANSWER_TIMEOUT_MS }),
  );
  const sampler = cpuSampler(server, floods.map((f) => f.pid));
  // CPU over the sending time only (the generators stop creating after `seconds` at the rate they keep up).
  await sleep(seconds * 1000);
  const cpu = sampler.end();
  // Read while the generators still hold their sockets (they wait out the last answers).
  const generatorDrops = ports.reduce((n, port) => n + udpDrops(port), 0);
  const runs = await Promise.all(floods.map((f) => f.done));
  return { runs, socketDrops: udpDrops(server.sipPort) - dropsBefore, generatorDrops, cpu };
}

interface SaturationResult {
  readonly system: string;
  readonly flood: FloodTotals;
  readonly cpu: CpuWindow;
  /** 403s plus requests dropped on purpose, per second. */
  readonly absorbedPerSecond: number;
  /** CPU (app + drachtio-server) per absorbed request, µs. */
  readonly cpuUsPerAbsorbed: number;
  readonly loadAverage: number;
  readonly note: string;
  /** Set when the application died during the measurement. */
  readonly died: string | undefined;
}

async function saturate(server: Server, options: Options, note: string, droppedOnPurpose: boolean): Promise<SaturationResult> {
  await floodOnce(server, WARM_UP_RATE, WARM_UP_S, `warm-${server.name}`);
  await sleep(SETTLE_MS);
  const { runs, socketDrops, generatorDrops, cpu } = await floodOnce(server, options.saturationRate, options.saturationSeconds, `sat-${server.name}`);
  const flood = floodTotals(runs, socketDrops, generatorDrops, options.saturationSeconds);
  const absorbedPerSecond = flood.answeredPerSecond + (droppedOnPurpose ? flood.droppedPerSecond : 0);
  const cpuPct = (cpu.app ?? 0) + (cpu.drachtio ?? 0);
  return {
    system: server.name,
    flood,
    cpu,
    absorbedPerSecond,
    cpuUsPerAbsorbed: absorbedPerSecond > 0 ? (cpuPct / 100) * 1e6 / absorbedPerSecond : Number.NaN,
    loadAverage: os.loadavg()[0]!,
    note,
    died: server.died(),
  };
}

type Variant = 'no flood' | 'auto-ban off' | 'auto-ban on' | 'kernel sink' | 'pre-banned';
/** The runs that ban live, whose bans' landing is watched. */
const BANNING: readonly Variant[] = ['auto-ban on', 'kernel sink'];

interface FloodResult {
  readonly variant: Variant;
  readonly allowed: { sent: number; ok: number; other: number; lost: number; p50Ms: number; p99Ms: number; maxMs: number };
  readonly flood: FloodTotals | undefined;
  readonly cpu: CpuWindow;
  /** ms from the flood's start until each source was in the ban set (auto-ban on, kernel sink). */
  readonly banLandedMs: Record<string, number | undefined>;
  /** ms from the flood's start until each source was in the kernel's set (kernel sink). */
  readonly kernelLandedMs: Record<string, number | undefined>;
  /** The edge's sipwarden_sip_banned_total and decisions over the run. */
  readonly edgeBanned: number;
  readonly edgeDecisions: number;
  readonly loadAverage: number;
  /** Set when the edge died during the run. */
  readonly died: string | undefined;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function floodRun(variant: Variant, server: Server, operator: Redis, options: Options): Promise<FloodResult> {
  const before = await server.metrics!();
  const dropsBefore = udpDrops(server.sipPort);
  const ports = [await freePort(FLOODERS[0]), await freePort(FLOODERS[1])];
  const startedAt = performance.now();
  const floods =
    variant === 'no flood'
      ? []
      : FLOODERS.map((from, i) =>
          startFlood({ from, port: ports[i]!, to: server.sipPort, domain: DOMAIN, user: 'scanner', rate: options.floodRate, seconds: options.seconds, answerTimeoutMs: FLOOD_ANSWER_TIMEOUT_MS }),
        );
  const sampler = cpuSampler(server, floods.map((f) => f.pid));
  const allowed = runRegisterLoad({
    from: ALLOWED, to: server.sipPort, domain: DOMAIN, user: 'desk-phone',
    rate: options.allowedRate, count: Math.round(options.allowedRate * options.seconds), answerTimeoutMs: ALLOWED_ANSWER_TIMEOUT_MS,
  });
  // With auto-ban on: when each source shows up in the ban set, and with the kernel sink in the kernel's.
  const banLandedMs: Record<string, number | undefined> = Object.fromEntries(FLOODERS.map((f) => [f, undefined]));
  const kernelLandedMs: Record<string, number | undefined> = Object.fromEntries(FLOODERS.map((f) => [f, undefined]));
  let watching = BANNING.includes(variant);
  const watch = async (landed: Record<string, number | undefined>, members: () => Promise<ReadonlySet<string>>, everyMs: number) => {
    while (watching && FLOODERS.some((f) => landed[f] === undefined)) {
      const present = await members();
      const now = performance.now() - startedAt;
      for (const f of FLOODERS) if (landed[f] === undefined && present.has(f)) landed[f] = now;
      await sleep(everyMs);
    }
  };
  const kernelMembers = async () => {
    const listed = await runNft('nft', ['-j', 'list', 'set', 'inet', NFT_TABLE, 'banned4']);
    const parsed = listed.ok ? parseKernelTable(listed.stdout, NFT_TABLE) : undefined;
    return new Set(parsed?.ok === true ? parsed.table.elements.keys() : []);
  };
  const watcher = Promise.all([
    watch(banLandedMs, async () => new Set(await operator.smembers(BANS)), 10),
    // Each look spawns nft: every 20 ms, and only until both are in.
    variant === 'kernel sink' ? watch(kernelLandedMs, kernelMembers, 20) : undefined,
  ]);
  await sleep(options.seconds * 1000);
  const cpu = sampler.end();
  const generatorDrops = floods.length === 0 ? 0 : ports.reduce((n, port) => n + udpDrops(port), 0);
  const [load, runs] = await Promise.all([allowed, Promise.all(floods.map((f) => f.done))]);
  watching = false;
  await watcher;
  const after = await server.metrics!();
  const ok = load.calls.filter((c) => c.status === 200);
  const rtts = ok.map((c) => c.rttMs!).sort((a, b) => a - b);
  const answered = load.calls.filter((c) => c.status !== undefined).length;
  const sent = Math.round(options.allowedRate * options.seconds);
  return {
    variant,
    allowed: { sent, ok: ok.length, other: answered - ok.length, lost: sent - answered, p50Ms: percentile(rtts, 50), p99Ms: percentile(rtts, 99), maxMs: rtts[rtts.length - 1] ?? Number.NaN },
    flood: runs.length > 0 ? floodTotals(runs, udpDrops(server.sipPort) - dropsBefore, generatorDrops, options.seconds) : undefined,
    cpu,
    banLandedMs,
    kernelLandedMs,
    edgeBanned: after.banned - before.banned,
    edgeDecisions: after.decisions - before.decisions,
    loadAverage: os.loadavg()[0]!,
    died: server.died(),
  };
}

// ---------------------------------------------------------------- output

const pct = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '-' : `${value.toFixed(1)} %`);
const rate = (value: number) => (Number.isFinite(value) ? formatCount(Math.round(value)) : '-');
const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(value >= 100 ? 0 : 2)} ms`);
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');

function saturationTable(results: readonly SaturationResult[]): string {
  return formatTable(
    ['system', 'offered/s', '403/s', 'dropped/s', 'absorbed/s', 'socket loss/s', 'gen loss/s', 'unanswered', 'app cpu', 'drachtio cpu', 'cpu/absorbed', 'generators cpu', 'load'],
    results.map((r) => [
      r.system,
      rate(r.flood.offeredPerSecond),
      rate(r.flood.answeredPerSecond),
      rate(r.flood.droppedPerSecond),
      rate(r.absorbedPerSecond),
      rate(r.flood.socketLossPerSecond),
      rate(r.flood.generatorLossPerSecond),
      `${formatCount(r.flood.unanswered)}/${formatCount(r.flood.sent)}`,
      pct(r.cpu.app),
      pct(r.cpu.drachtio),
      Number.isFinite(r.cpuUsPerAbsorbed) ? `${r.cpuUsPerAbsorbed.toFixed(1)} µs` : '-',
      pct(r.cpu.generators),
      r.loadAverage.toFixed(2),
    ]),
  );
}

function ratioTable(results: readonly SaturationResult[]): string {
  const peers = results.filter((r) => r.system === 'bare' || r.system === 'kamailio');
  const rows: string[][] = [];
  for (const r of results.filter((x) => x.system.startsWith('sipwarden'))) {
    for (const peer of peers) {
      rows.push([`${r.system} / ${peer.system}`, ratio(r.absorbedPerSecond / peer.absorbedPerSecond), ratio(r.cpuUsPerAbsorbed / peer.cpuUsPerAbsorbed)]);
    }
  }
  return formatTable(['ratio', 'absorbed/s', 'cpu/absorbed'], rows);
}

const landed = (at: Record<string, number | undefined>) => FLOODERS.map((f) => (at[f] === undefined ? 'never' : `${Math.round(at[f]!)} ms`)).join(', ');

function floodTable(results: readonly FloodResult[]): string {
  return formatTable(
    ['run', 'flood offered/s', '403/s', 'dropped/s', 'socket loss/s', 'allowed ok', 'success', 'p50', 'p99', 'max', 'edge cpu', 'drachtio cpu', 'generators cpu', 'ban landed', 'in kernel', 'edge banned/decided', 'load'],
    results.map((r) => [
      r.variant,
      r.flood ? rate(r.flood.offeredPerSecond) : '0',
      r.flood ? rate(r.flood.answeredPerSecond) : '-',
      r.flood ? rate(r.flood.droppedPerSecond) : '-',
      r.flood ? rate(r.flood.socketLossPerSecond) : '-',
      `${r.allowed.ok}/${r.allowed.sent}`,
      `${((100 * r.allowed.ok) / r.allowed.sent).toFixed(1)} %`,
      ms(r.allowed.p50Ms),
      ms(r.allowed.p99Ms),
      ms(r.allowed.maxMs),
      pct(r.cpu.app),
      pct(r.cpu.drachtio),
      pct(r.cpu.generators),
      BANNING.includes(r.variant) ? landed(r.banLandedMs) : '-',
      r.variant === 'kernel sink' ? landed(r.kernelLandedMs) : '-',
      r.died ? 'edge died' : `${formatCount(r.edgeBanned)}/${formatCount(r.edgeDecisions)}`,
      r.loadAverage.toFixed(2),
    ]),
  );
}


// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const binary = sipBenchBinary('bench:flood');
  if (binary === undefined) return;
  const withKamailio = onPath('kamailio');
  const options = readOptions();
  edgeEnvOption = options.edgeEnv;
  const edgeDrops = options.edgeEnv.SIPWARDEN_SOURCE_RATE_ACTION === 'drop';
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const drachtioVersion = toolVersion(binary);
  const kamailioVersion = withKamailio ? toolVersion('kamailio', ['-v']) : undefined;
  console.log(
    `sipwarden flood benchmark: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, ` +
      `drachtio-server ${drachtioVersion ?? '?'}, ${kamailioVersion ?? 'no kamailio on PATH'}, load average ${loadAtStart.toFixed(2)}`,
  );
  console.log(
    `REGISTER over UDP on loopback; flood sources ${FLOODERS.join(' and ')}, allowed client ${ALLOWED}; sip list of ${formatCount(options.listSize)} entries; ` +
      `auto-ban threshold ${options.threshold} in ${options.windowS} s; sipwarden on its defaults` +
      (Object.keys(options.edgeEnv).length > 0 ? ` plus ${Object.entries(options.edgeEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : '') + '\n',
  );

  const closers: Array<() => Promise<void> | void> = [];
  const saturation: SaturationResult[] = [];
  const floods: FloodResult[] = [];
  const drachtioArgs = (redisPort: number, blacklist: boolean) => ({
    ...DRACHTIO_LOGGING,
    args: blacklist ? ['--blacklist-redis-address', '127.0.0.1', '--blacklist-redis-port', String(redisPort), '--blacklist-redis-key', BANS, '--blacklist-refresh-secs', '5'] : [],
  });
  const autoBanEnv = { SIPWARDEN_AUTOBAN: 'on', SIPWARDEN_AUTOBAN_THRESHOLD: String(options.threshold), SIPWARDEN_AUTOBAN_WINDOW_S: String(options.windowS) };
  const kernelEnv = { ...autoBanEnv, SIPWARDEN_BAN_SINK: 'nftables', SIPWARDEN_NFT_TABLE: NFT_TABLE };
  const nftProblem = nftUnusable();
  if (nftProblem !== undefined) console.log(`kernel sink runs skipped: ${nftProblem}\n`);
  // A clean stop of the edge removes its table; a failed run may not get there.
  closers.push(() => deleteTable(NFT_TABLE));
  try {
    const redis = await RedisServer.start();
    closers.push(() => redis.stop());
    const operator = redis.client();
    closers.push(() => void operator.disconnect());
    const uas = await startUas({ trace: false });
    closers.push(() => uas.stop());

    /** drachtio-server + sipwarden for one measurement, stopped after. */
    const withEdge = async <T>(env: Record<string, string>, blacklist: boolean, measure: (server: Server) => Promise<T>): Promise<T> => {
      const drachtio = await startDrachtio(binary, { admin: await freePort(), sip: await freePort(), ws: await freePort() }, '', drachtioArgs(redis.port, blacklist));
      try {
        const edge = await startEdge(redis, drachtio, uas, env);
        try {
          await expectStatus('sipwarden', ALLOWED, drachtio.ports.sip, 200);
          if (blacklist) {
            // drachtio-server reads the set once, shortly after it starts: wait until it drops.
            await waitFor('drachtio-server to drop the pre-banned sources', async () => ((await probe(FLOODERS[0], drachtio.ports.sip, 500)) === undefined ? true : undefined), 15_000, 200);
          } else {
            await expectStatus('sipwarden', FLOODERS[0], drachtio.ports.sip, 403);
          }
          return await measure(edge);
        } finally {
          await edge.stop();
        }
      } finally {
        await drachtio.stop();
      }
    };

    if (options.saturation) {
      const say = (r: SaturationResult) =>
        process.stderr.write(`saturation ${r.system}: offered ${rate(r.flood.offeredPerSecond)}/s, absorbed ${rate(r.absorbedPerSecond)}/s, app ${pct(r.cpu.app)}, drachtio ${pct(r.cpu.drachtio)}\n`);

      {
        const drachtio = await startDrachtio(binary, { admin: await freePort(), sip: await freePort(), ws: await freePort() }, '', drachtioArgs(redis.port, false));
        try {
          const bare = await startBare(drachtio, uas);
          try {
            await expectStatus('bare', FLOODERS[0], drachtio.ports.sip, 403);
            saturation.push(await saturate(bare, options, 'drachtio-srf, 403 to everything, no check', false));
            say(saturation.at(-1)!);
          } finally {
            await bare.stop();
          }
        } finally {
          await drachtio.stop();
        }
      }
      await sleep(SETTLE_MS);

      await resetRedis(operator, options.listSize);
      saturation.push(await withEdge({}, false, (edge) => saturate(edge, options, 'auto-ban off: decided (or shed by the per-source rate limit), denied, logged within the log budget', edgeDrops)));
      say(saturation.at(-1)!);
      await sleep(SETTLE_MS);

      await resetRedis(operator, options.listSize);
      const banned = await withEdge(autoBanEnv, false, async (edge) => {
        const result = await saturate(edge, options, 'auto-ban on: banned in the warm-up, then 403 first thing', edgeDrops);
        return { ...result, system: 'sipwarden-banned' };
      });
      saturation.push(banned);
      say(banned);
      await sleep(SETTLE_MS);

      if (nftProblem === undefined) {
        await resetRedis(operator, options.listSize);
        const kernel = await withEdge(kernelEnv, false, async (edge) => {
          const result = await saturate(edge, options, 'kernel sink: banned in the warm-up, then dropped by nftables before drachtio-server', true);
          return { ...result, system: 'sipwarden-kernel' };
        });
        saturation.push(kernel);
        say(kernel);
        await sleep(SETTLE_MS);
      }

      await resetRedis(operator, options.listSize, FLOODERS);
      const prebanned = await withEdge(autoBanEnv, true, async (edge) => {
        const result = await saturate(edge, options, 'pre-banned at drachtio start (not reachable live with v0.9.10): dropped in C++', true);
        return { ...result, system: 'sipwarden-prebanned' };
      });
      saturation.push(prebanned);
      say(prebanned);
      await sleep(SETTLE_MS);

      if (withKamailio) {
        const kamailio = await startKamailio();
        try {
          await expectStatus('kamailio', FLOODERS[0], kamailio.sipPort, 403);
          saturation.push(await saturate(kamailio, options, 'permissions address table, sl 403, 2 workers', false));
          say(saturation.at(-1)!);
        } finally {
          await kamailio.stop();
        }
        await sleep(SETTLE_MS);
      }
    }

    if (options.flood) {
      const variants: Array<{ variant: Variant; env: Record<string, string>; blacklist: boolean }> = [
        { variant: 'no flood', env: autoBanEnv, blacklist: false },
        { variant: 'auto-ban off', env: {}, blacklist: false },
        { variant: 'auto-ban on', env: autoBanEnv, blacklist: false },
        ...(nftProblem === undefined ? [{ variant: 'kernel sink' as const, env: kernelEnv, blacklist: false }] : []),
        { variant: 'pre-banned', env: autoBanEnv, blacklist: true },
      ];
      for (const { variant, env, blacklist } of variants) {
        await resetRedis(operator, options.listSize, blacklist ? FLOODERS : []);
        const result = await withEdge(env, blacklist, async (edge) => {
          // The smoke test's denial (auto-ban counts it) is far below the threshold; let the edge settle first.
          await sleep(SETTLE_MS);
          return floodRun(variant, edge, operator, options);
        });
        floods.push(result);
        process.stderr.write(
          `flood ${variant}: allowed ${result.allowed.ok}/${result.allowed.sent} ok, p50 ${ms(result.allowed.p50Ms)}, p99 ${ms(result.allowed.p99Ms)}, ` +
            `edge ${pct(result.cpu.app)}, drachtio ${pct(result.cpu.drachtio)}\n`,
        );
        await sleep(SETTLE_MS);
      }
    }
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch {
        // Shutting down: what failed to close is gone with the process.
      }
    }
  }

  if (saturation.length > 0) {
    console.log(`== (1) saturation: denied REGISTERs from ${FLOODERS.length} sources at ${formatCount(options.saturationRate)}/s each for ${options.saturationSeconds} s ==`);
    console.log(saturationTable(saturation));
    for (const r of saturation) console.log(`  ${r.system}: ${r.note}${r.died ? `; DIED during the run: ${r.died}` : ''}`);
    console.log(
      [
        'offered/s, 403/s: sent and answered per second while sipp was sending (its once-a-second rows); dropped/s: received by the server\'s',
        'socket (or, for the kernel sink, its nftables table), never answered (only the pre-banned drachtio-server and the kernel sink drop on',
        'purpose); absorbed/s: 403/s plus those; socket loss/s: the kernel',
        'dropped them at the full receive buffer (/proc/net/udp); gen loss/s: 403s the kernel dropped at the generators\' sockets (counted in 403/s);',
        'unanswered: REGISTERs with no 403 back at sipp; cpu in % of one core over the sending time; cpu/absorbed: app + drachtio-server.',
        `The generators share the ${os.availableParallelism()} cores: where 403/s is close to offered/s, the system was not saturated (the figure is a lower bound).\n`,
      ].join('\n'),
    );
    console.log('== ratios, same run ==');
    console.log(ratioTable(saturation));
    console.log('');
  }
  if (floods.length > 0) {
    console.log(
      `== (2) flood: ${FLOODERS.join(' + ')} at ${formatCount(options.floodRate)}/s each for ${options.seconds} s, ${ALLOWED} registering at ${options.allowedRate}/s ==`,
    );
    console.log(floodTable(floods));
    console.log(
      [
        'allowed ok: 200 OK / REGISTERs sent; p50/p99/max: first send to 200 OK (sipp message trace); edge cpu: the sipwarden process; ban landed:',
        'from the flood\'s start until the source was in sipwarden:{bans} (Redis polled every 10 ms); the edge enforces its own ban from the',
        'moment it makes it. in kernel: until the source was in the kernel sink\'s set (nft polled every 20 ms); dropped/s there is what the',
        'kernel dropped (with the kernel sink\'s per-source rate limit on its default, 200/s burst 400, from the first packets on).',
        'pre-banned: drachtio-server started with both sources in the set (not reachable live with v0.9.10).\n',
      ].join('\n'),
    );
    for (const f of floods.filter((x) => x.died !== undefined)) console.log(`${f.variant}: the edge DIED during the run: ${f.died}`);
    const none = floods.find((f) => f.variant === 'no flood');
    const on = floods.find((f) => f.variant === 'auto-ban on');
    const kernelRun = floods.find((f) => f.variant === 'kernel sink');
    const pre = floods.find((f) => f.variant === 'pre-banned');
    const kamailio = saturation.find((s) => s.system === 'kamailio');
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    for (const run of [on, kernelRun]) {
      if (run === undefined) continue;
      const success = run.allowed.ok === run.allowed.sent;
      console.log(`target: ${run.variant}, the allowed client keeps 100 % success: ${((100 * run.allowed.ok) / run.allowed.sent).toFixed(1)} % -> ${verdict(success)}`);
      console.log(`target: ${run.variant}, allowed p99 under 20 ms: ${ms(run.allowed.p99Ms)} -> ${verdict(run.allowed.p99Ms < 20)}`);
      if (none && run.cpu.app !== undefined && none.cpu.app !== undefined) {
        const shed = run.cpu.app - none.cpu.app;
        console.log(
          `target: ${run.variant}, the shed flood costs the edge under 5 % of a core: edge ${pct(run.cpu.app)} with the flood, ${pct(none.cpu.app)} without -> ${pct(shed)} ` +
            `(${verdict(shed < 5)}); drachtio-server ${pct(run.cpu.drachtio)} against ${pct(none.cpu.drachtio)}`,
        );
      }
    }
    if (kamailio) {
      const live = saturation.find((s) => s.system === 'sipwarden-banned');
      const kernel = saturation.find((s) => s.system === 'sipwarden-kernel');
      const prebanned = saturation.find((s) => s.system === 'sipwarden-prebanned');
      const against = (r: SaturationResult | undefined) =>
        r === undefined ? 'not measured' : `${rate(r.absorbedPerSecond)}/s -> ${verdict(r.absorbedPerSecond >= kamailio.absorbedPerSecond)}`;
      // Only the kernel sink drops on purpose; what else goes unanswered was lost.
      const inFlood = (r: FloodResult | undefined) =>
        r?.flood ? `; in the flood, ${r.variant}: ${rate(r.flood.answeredPerSecond + (r.variant === 'kernel sink' ? r.flood.droppedPerSecond : 0))}/s absorbed of ${rate(r.flood.offeredPerSecond)}/s offered` : '';
      console.log(
        `target: denied requests absorbed/s (403 + dropped) >= Kamailio's 403/s (${rate(kamailio.absorbedPerSecond)}/s, saturation): ` +
          `live auto-ban (sipwarden-banned) ${against(live)}; kernel sink (sipwarden-kernel) ${against(kernel)}; pre-banned at drachtio start (not reachable live) ${against(prebanned)}` +
          inFlood(on) + inFlood(kernelRun),
      );
    }
    if (pre && none && pre.cpu.app !== undefined && none.cpu.app !== undefined) {
      console.log(`pre-banned (not reachable live): allowed ${pre.allowed.ok}/${pre.allowed.sent}, p99 ${ms(pre.allowed.p99Ms)}, edge cost of the flood ${pct(pre.cpu.app - none.cpu.app)}, drachtio-server ${pct(pre.cpu.drachtio)}`);
    }
  }

  const seconds = (performance.now() - started) / 1000;
  const loadAtEnd = os.loadavg()[0]!;
  console.log(`\ntotal ${seconds.toFixed(0)} s, load average at start ${loadAtStart.toFixed(2)}, at end ${loadAtEnd.toFixed(2)}\n`);
  console.log(
    JSON.stringify({
      bench: 'flood',
      commit: measuredCommit('src'),
      node: process.version,
      cpu: os.cpus()[0]?.model,
      cores: os.availableParallelism(),
      drachtio: drachtioVersion,
      kamailio: kamailioVersion,
      seconds: Math.round(seconds),
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      options,
      saturation,
      floods,
    }),
  );
}

await main();
// Sockets of ioredis may linger a moment after close; the results are out.
process.exit(0);
