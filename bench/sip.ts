/**
 * SIP edge benchmark: `npm run bench:sip` (needs drachtio-server: DRACHTIO_BIN
 * or `drachtio` on PATH, plus sipp and redis-server).
 *
 * sipwarden runs as `npm start` runs it (the build in dist/, configuration
 * from environment variables, lists in a real redis-server: a 10,000-entry sip list that
 * includes 127.0.0.2), connected to its own drachtio-server; a bare
 * drachtio-srf application (lib/bare-srf.ts: no middleware, no check) is
 * connected to a second drachtio-server of the same binary and settings. Each
 * runs in a process of its own (lib/app-process.ts), as deployed, so neither
 * pays for the harness, the other's code or the other's heap. sipp sends REGISTERs over UDP at fixed rates, for a
 * fixed time each:
 *   denied   from 127.0.0.3: sipwarden answers 403; the bare app answers 403
 *   allowed  from 127.0.0.2: both proxy to a sipp UAS (the upstream) answering 200
 * and for each run the REGISTERs answered per second (answers with the
 * expected status / time from the first REGISTER sent to the last answer),
 * p50/p99/max response time (first send to final answer, from sipp's message
 * trace, in microseconds), and the CPU time per answer of the app's process and
 * of its drachtio-server (the scheduler's per-thread times in /proc). The overhead is sipwarden/bare, same rate
 * and case.
 *
 * Everything is on loopback. Each (case, rate) is run in rounds (default 2)
 * that swap who goes first, bare then sipwarden, sipwarden then bare, so
 * drift and whatever the previous run left behind (the UAS holds each
 * REGISTER's call 5 s for refreshes, drachtio-server its UDP transactions
 * 32 s) fall on both alike; the table pools the rounds' answers.
 *
 * Options: --rates 100,300,600  --seconds 3  --rounds 2  --list-size 10000
 *          --edge-env SIPWARDEN_LOG_LEVEL=warn,...  (added to sipwarden's environment)
 */
import { measuredCommit } from './lib/commit.js';
import { sipBenchBinary, toolVersion } from './lib/tools.js';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Redis } from 'ioredis';
import { type DrachtioPorts, type DrachtioServer, startDrachtio } from '../test/e2e/drachtio-server.js';
import { type SippUas, runUac, startUas } from '../test/e2e/sipp.js';
import { freePort, waitFor } from '../test/support/net.js';
import { RedisServer } from '../test/support/redis-server.js';
import { type AppProcess, parseEdgeEnv, startBareProcess, startEdgeProcess } from './lib/app-process.js';
import { threadsCpuUs } from './lib/proc.js';
import { formatCount, formatTable, median } from './lib/measure.js';
import { generate } from './lib/policy-data.js';
import { type LoadRun, runRegisterLoad } from './lib/sipp-load.js';

// ---------------------------------------------------------------- settings

const ALLOWED = '127.0.0.2';
const DENIED = '127.0.0.3';
const TENANT = 'acme';
const DOMAIN = 'acme.example';
const CASES = ['denied', 'allowed'] as const;
type Case = (typeof CASES)[number];
const APPS = ['bare', 'sipwarden'] as const;
type App = (typeof APPS)[number];
const EXPECTED_STATUS: Record<Case, number> = { denied: 403, allowed: 200 };
const SOURCE: Record<Case, string> = { denied: DENIED, allowed: ALLOWED };

/** sipp gives up on a REGISTER unanswered after this. */
const ANSWER_TIMEOUT_MS = 5000;
/** Pause between runs. */
const SETTLE_MS = 1000;
/** Each app's CPU use with nothing to do is measured for this long. */
const IDLE_MS = 2000;
/**
 * Unmeasured runs before measuring: each app and case, at this rate for this
 * long. Long enough for V8 to have optimised both apps' request paths: its
 * compiler runs on threads of the app's process, so code still being compiled
 * bills its compiling to the first measured cells, more for the app with
 * more code (1.5 s at 200/s left the 100/s cells +300 µs per answer apart,
 * where the edge's own per-request work is ~20 µs).
 */
const WARM_UP_RATE = 600;
const WARM_UP_S = 5;
/** drachtio-server at 'info' logs every SIP message; that would be measured too. */
const DRACHTIO_LOGGING = { logLevel: 'notice', sofiaLogLevel: 1 } as const;

interface Options {
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly rounds: number;
  readonly listSize: number;
  readonly edgeEnv: Record<string, string>;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: { rates: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' }, 'list-size': { type: 'string' }, 'edge-env': { type: 'string' } },
  });
  const options = {
    rates: (values.rates ?? '100,300,600').split(',').map(Number),
    seconds: Number(values.seconds ?? 3),
    rounds: Number(values.rounds ?? 2),
    listSize: Number(values['list-size'] ?? 10_000),
    edgeEnv: parseEdgeEnv(values['edge-env']),
  };
  if (options.rates.some((r) => !(r > 0 && r <= 5000))) throw new Error('--rates: REGISTERs per second, 1-5000 each');
  if (!(options.seconds > 0 && options.seconds <= 20)) throw new Error('--seconds: 1-20 per run');
  if (!(Number.isInteger(options.rounds) && options.rounds >= 1 && options.rounds <= 12)) throw new Error('--rounds: 1-12');
  if (!(options.listSize >= 1 && options.listSize <= 1_000_000)) throw new Error('--list-size: 1-1,000,000');
  return options;
}

// ---------------------------------------------------------------- the systems under test


const newPorts = async (): Promise<DrachtioPorts> => ({ admin: await freePort(), sip: await freePort(), ws: await freePort() });

/** The sip list as an operator pushes it with plain Redis commands. */
async function pushList(redis: Redis, size: number): Promise<void> {
  const list = `${generate(size - 1, 'ipv4').text},${ALLOWED}`;
  await redis.set(`sipwarden:{${TENANT}}:sip:cidrs`, list);
  await redis.hset('sipwarden:domains', { [DOMAIN]: TENANT });
}

/** sipwarden as `npm start` runs it, in a process of its own (lib/app-process.ts), its log lines (one per decision) going to /dev/null. */
function startEdge(redis: RedisServer, drachtio: DrachtioServer, uas: SippUas, env: Record<string, string>): Promise<AppProcess> {
  return startEdgeProcess({ redisUrl: redis.url, drachtioPort: drachtio.ports.admin, upstream: `127.0.0.1:${uas.port}`, env, label: 'sip' });
}

interface Target {
  readonly app: App;
  readonly process: AppProcess;
  readonly drachtio: DrachtioServer;
  /** Switches the app to answer `kase` (the bare app has a mode; sipwarden decides by source). */
  prepare(kase: Case): Promise<void>;
}

// ---------------------------------------------------------------- measuring

/** One sipp run against one app. */
interface Run {
  readonly case: Case;
  readonly app: App;
  readonly rate: number;
  readonly round: number;
  readonly sent: number;
  /** Response times (ms) of the final answers with the expected status (403 denied, 200 allowed). */
  readonly rtts: readonly number[];
  /** Final answers with another status. */
  readonly other: number;
  readonly unanswered: number;
  /** From the first REGISTER sent to the last expected answer, ms. */
  readonly spanMs: number;
  /** CPU time of the app's process while sipp ran, µs. */
  readonly cpuUs: number;
  /** How long sipp ran, ms. */
  readonly wallMs: number;
  /** CPU time of the target's drachtio-server during the run, µs; undefined without /proc. */
  readonly drachtioCpuUs: number | undefined;
  readonly sipp: LoadRun['sipp'];
  /** 1-minute load average when the run ended: other work on the machine shows in the tail. */
  readonly loadAverage: number;
}

/** The rounds of one (case, rate, app), pooled. */
interface CellResult {
  readonly case: Case;
  readonly app: App;
  readonly rate: number;
  readonly rounds: number;
  readonly sent: number;
  readonly answered: number;
  readonly other: number;
  readonly unanswered: number;
  readonly retransmissions: number | undefined;
  /** Answers over the summed spans of the rounds. */
  readonly answeredPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Each round's p50 and p99, to show the noise. */
  readonly roundP50Ms: readonly number[];
  readonly roundP99Ms: readonly number[];
  /** This process's CPU per answer, µs, its idle use taken out. */
  readonly cpuUsPerAnswer: number;
  /** The same for each round, in round order: one stray garbage collection moves the pooled figure of a short cell, not the median of rounds. */
  readonly roundCpuUsPerAnswer: readonly number[];
  /** The drachtio-server's CPU per answer, µs (10 ms clock ticks, summed over the rounds). */
  readonly drachtioCpuUsPerAnswer: number | undefined;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function measureRun(target: Target, kase: Case, rate: number, seconds: number, round: number): Promise<Run> {
  await target.prepare(kase);
  const count = Math.max(1, Math.round(rate * seconds));
  const appBefore = threadsCpuUs(target.process.pid);
  const drachtioBefore = threadsCpuUs(target.drachtio.pid);
  const run = await runRegisterLoad({
    from: SOURCE[kase], to: target.drachtio.ports.sip, domain: DOMAIN, user: `${target.app}-${kase}`,
    rate, count, answerTimeoutMs: ANSWER_TIMEOUT_MS,
  });
  const drachtioAfter = threadsCpuUs(target.drachtio.pid);
  const appAfter = threadsCpuUs(target.process.pid);
  if (appBefore === undefined || appAfter === undefined) throw new Error(`${target.app}: no CPU time in /proc (${target.process.died() ?? 'no /proc'})`);
  const expected = run.calls.filter((call) => call.status === EXPECTED_STATUS[kase]);
  const answered = run.calls.filter((call) => call.status !== undefined).length;
  return {
    case: kase,
    app: target.app,
    rate,
    round,
    sent: count,
    rtts: expected.map((call) => call.rttMs!),
    other: answered - expected.length,
    unanswered: count - answered,
    spanMs: Math.max(0, ...expected.map((call) => call.answeredMs!)),
    cpuUs: appAfter - appBefore,
    wallMs: run.wallMs,
    drachtioCpuUs: drachtioBefore === undefined || drachtioAfter === undefined ? undefined : drachtioAfter - drachtioBefore,
    sipp: run.sipp,
    loadAverage: os.loadavg()[0]!,
  };
}

function pool(runs: readonly Run[], idleUsPerMs: number): CellResult {
  const first = runs[0]!;
  const sum = (pick: (run: Run) => number) => runs.reduce((total, run) => total + pick(run), 0);
  const rtts = runs.flatMap((run) => run.rtts).sort((a, b) => a - b);
  const spanMs = sum((run) => run.spanMs);
  const cpuUs = Math.max(0, sum((run) => run.cpuUs) - idleUsPerMs * sum((run) => run.wallMs));
  const rank = (values: readonly number[], p: number) => percentile([...values].sort((a, b) => a - b), p);
  return {
    case: first.case,
    app: first.app,
    rate: first.rate,
    rounds: runs.length,
    sent: sum((run) => run.sent),
    answered: rtts.length,
    other: sum((run) => run.other),
    unanswered: sum((run) => run.unanswered),
    retransmissions: runs.every((run) => run.sipp !== undefined) ? sum((run) => run.sipp!.retransmissions) : undefined,
    answeredPerSecond: spanMs > 0 ? rtts.length / (spanMs / 1000) : Number.NaN,
    p50Ms: percentile(rtts, 50),
    p99Ms: percentile(rtts, 99),
    maxMs: rtts.length > 0 ? rtts[rtts.length - 1]! : Number.NaN,
    roundP50Ms: runs.map((run) => rank(run.rtts, 50)),
    roundP99Ms: runs.map((run) => rank(run.rtts, 99)),
    cpuUsPerAnswer: rtts.length > 0 ? cpuUs / rtts.length : Number.NaN,
    roundCpuUsPerAnswer: [...runs].sort((a, b) => a.round - b.round).map((run) => Math.max(0, run.cpuUs - idleUsPerMs * run.wallMs) / run.rtts.length),
    drachtioCpuUsPerAnswer:
      rtts.length > 0 && runs.every((run) => run.drachtioCpuUs !== undefined) ? sum((run) => run.drachtioCpuUs!) / rtts.length : undefined,
  };
}

/** Each app's CPU use with no SIP traffic (timers, Redis reconciliation, upstream probes, metrics), µs per ms. */
async function idleCpu(targets: Record<App, Target>): Promise<Record<App, number>> {
  const before = APPS.map((app) => threadsCpuUs(targets[app].process.pid) ?? 0);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const wallMs = performance.now() - started;
  return Object.fromEntries(APPS.map((app, i) => [app, ((threadsCpuUs(targets[app].process.pid) ?? 0) - before[i]!) / wallMs])) as Record<App, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One REGISTER of each case through each app, with the e2e suite's runner: the setup answers as it should. */
async function smokeTest(targets: readonly Target[]): Promise<void> {
  for (const target of targets) {
    for (const kase of CASES) {
      await target.prepare(kase);
      const run = await runUac({ scenario: 'uac-register.xml', from: SOURCE[kase], domain: DOMAIN, user: 'smoke', transport: 'udp', to: target.drachtio.ports.sip });
      if (run.status !== EXPECTED_STATUS[kase]) throw new Error(`${target.app}, ${kase}: expected ${EXPECTED_STATUS[kase]}, got ${run.status ?? 'no answer'}`);
    }
  }
}

// ---------------------------------------------------------------- output

const ms = (value: number) => (Number.isNaN(value) ? '-' : `${value.toFixed(value >= 100 ? 0 : 2)} ms`);
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');
const perSecond = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));

const byRound = (values: readonly number[]) => values.map((v) => (Number.isNaN(v) ? '-' : v.toFixed(v >= 100 ? 0 : 2))).join(' / ');

function runsTable(results: readonly CellResult[]): string {
  return formatTable(
    ['case', 'rate/s', 'app', 'sent', 'answered', 'other', 'lost', 'retrans', 'answered/s', 'p50', 'p99', 'p50 by round', 'p99 by round', 'cpu/answer', 'drachtio cpu'],
    results.map((r) => [
      r.case,
      formatCount(r.rate),
      r.app,
      formatCount(r.sent),
      formatCount(r.answered),
      String(r.other),
      String(r.unanswered),
      r.retransmissions === undefined ? '?' : String(r.retransmissions),
      perSecond(r.answeredPerSecond),
      ms(r.p50Ms),
      ms(r.p99Ms),
      byRound(r.roundP50Ms),
      byRound(r.roundP99Ms),
      Number.isNaN(r.cpuUsPerAnswer) ? '-' : `${Math.round(r.cpuUsPerAnswer)} µs`,
      r.drachtioCpuUsPerAnswer === undefined ? '-' : `${Math.round(r.drachtioCpuUsPerAnswer)} µs`,
    ]),
  );
}

interface Overhead {
  readonly case: Case;
  readonly rate: number;
  /** sipwarden answered/s over bare answered/s (below 1: sipwarden answered fewer per second). */
  readonly throughput: number;
  /** sipwarden over bare: above 1 means sipwarden answers slower. */
  readonly p50: number;
  readonly p99: number;
  readonly cpu: number;
  /** The median over rounds of each round's sipwarden/bare CPU per answer (the two ran back to back). */
  readonly cpuMedianRound: number;
  /** sipwarden's added response time at the median, ms. */
  readonly p50AddedMs: number;
  /** sipwarden's added CPU (the app's process) per answer, µs. */
  readonly cpuAddedUs: number;
}

function overheads(results: readonly CellResult[]): Overhead[] {
  const out: Overhead[] = [];
  for (const sw of results.filter((r) => r.app === 'sipwarden')) {
    const bare = results.find((r) => r.app === 'bare' && r.case === sw.case && r.rate === sw.rate);
    if (bare === undefined) continue;
    out.push({
      case: sw.case,
      rate: sw.rate,
      throughput: sw.answeredPerSecond / bare.answeredPerSecond,
      p50: sw.p50Ms / bare.p50Ms,
      p99: sw.p99Ms / bare.p99Ms,
      cpu: sw.cpuUsPerAnswer / bare.cpuUsPerAnswer,
      cpuMedianRound: median(sw.roundCpuUsPerAnswer.map((cpu, round) => cpu / bare.roundCpuUsPerAnswer[round]!)),
      p50AddedMs: sw.p50Ms - bare.p50Ms,
      cpuAddedUs: sw.cpuUsPerAnswer - bare.cpuUsPerAnswer,
    });
  }
  return out;
}

function overheadTable(rows: readonly Overhead[]): string {
  return formatTable(
    ['case', 'rate/s', 'answered/s', 'p50', 'p99', 'cpu/answer', 'cpu, median round', 'p50 added', 'cpu added'],
    rows.map((o) => [
      o.case,
      formatCount(o.rate),
      ratio(o.throughput),
      ratio(o.p50),
      ratio(o.p99),
      ratio(o.cpu),
      ratio(o.cpuMedianRound),
      `${o.p50AddedMs >= 0 ? '+' : ''}${ms(o.p50AddedMs)}`,
      Number.isFinite(o.cpuAddedUs) ? `${o.cpuAddedUs >= 0 ? '+' : ''}${Math.round(o.cpuAddedUs)} µs` : '-',
    ]),
  );
}


// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const binary = sipBenchBinary('bench:sip');
  if (binary === undefined) return;
  const options = readOptions();
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const version = toolVersion(binary);
  console.log(
    `sipwarden SIP edge benchmark: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, ` +
      `drachtio-server ${version ?? '?'}, load average ${loadAtStart.toFixed(2)}`,
  );
  console.log(
    `REGISTER over UDP on loopback; sipp at fixed rates for ${options.seconds} s each; sip list of ${formatCount(options.listSize)} entries in redis-server; ` +
      'response time = first send to final answer' +
      (Object.keys(options.edgeEnv).length > 0 ? `; sipwarden with ${Object.entries(options.edgeEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : '') +
      '\n',
  );

  const closers: Array<() => Promise<void> | void> = [];
  const runs: Run[] = [];
  let idleUsPerMs: Record<App, number> = { bare: 0, sipwarden: 0 };
  try {
    const redis = await RedisServer.start();
    closers.push(() => redis.stop());
    const operator = redis.client();
    closers.push(() => void operator.disconnect());
    await pushList(operator, options.listSize);
    const uas = await startUas({ trace: false });
    closers.push(() => uas.stop());
    const edgeDrachtio = await startDrachtio(binary, await newPorts(), '', DRACHTIO_LOGGING);
    closers.push(() => edgeDrachtio.stop());
    const bareDrachtio = await startDrachtio(binary, await newPorts(), '', DRACHTIO_LOGGING);
    closers.push(() => bareDrachtio.stop());
    const edge = await startEdge(redis, edgeDrachtio, uas, options.edgeEnv);
    closers.push(() => edge.stop());
    const bare = await startBareProcess(bareDrachtio.ports.admin, `127.0.0.1:${uas.port}`, 'denied');
    closers.push(() => bare.stop());

    const targets: Record<App, Target> = {
      bare: { app: 'bare', process: bare, drachtio: bareDrachtio, prepare: (kase) => bare.setMode(kase) },
      sipwarden: { app: 'sipwarden', process: edge, drachtio: edgeDrachtio, prepare: async () => undefined },
    };
    await smokeTest(Object.values(targets));

    process.stderr.write(`warming up: ${WARM_UP_S} s at ${WARM_UP_RATE}/s per app and case\n`);
    for (const kase of CASES) {
      for (const app of APPS) await measureRun(targets[app], kase, WARM_UP_RATE, WARM_UP_S, 0);
      await sleep(SETTLE_MS);
    }
    idleUsPerMs = await idleCpu(targets);

    const total = options.rates.length * CASES.length * APPS.length * options.rounds;
    for (const [r, rate] of options.rates.entries()) {
      for (const [c, kase] of CASES.entries()) {
        for (let round = 0; round < options.rounds; round++) {
          // Each round swaps who goes first (and the next cell starts with the one that went last).
          const order = (r + c + round) % 2 === 0 ? APPS : [...APPS].reverse();
          for (const app of order) {
            const run = await measureRun(targets[app], kase, rate, options.seconds, round + 1);
            runs.push(run);
            const sorted = [...run.rtts].sort((a, b) => a - b);
            process.stderr.write(
              `run ${runs.length}/${total}: ${kase} ${rate}/s ${app}: ${run.rtts.length}/${run.sent} answered, ` +
                `p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}\n`,
            );
            await sleep(SETTLE_MS);
          }
        }
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

  const results: CellResult[] = [];
  for (const rate of options.rates) {
    for (const kase of CASES) {
      for (const app of APPS) {
        const cell = runs.filter((run) => run.rate === rate && run.case === kase && run.app === app);
        if (cell.length > 0) results.push(pool(cell, idleUsPerMs[app]));
      }
    }
  }
  const rows = overheads(results);
  console.log('== runs ==');
  console.log(runsTable(results));
  console.log(
    [
      `${options.rounds} round(s) of ${options.seconds} s per row, pooled. answered: final answers with the expected status (denied 403, allowed 200);`,
      `other: another final status; lost: no final answer within ${ANSWER_TIMEOUT_MS / 1000} s; retrans: sipp's retransmissions (500 ms timer);`,
      "answered/s: answered / (last answer - first REGISTER sent), summed over rounds; cpu/answer: CPU of the app's process,",
      `less its idle use (bare ${idleUsPerMs.bare.toFixed(1)}, sipwarden ${idleUsPerMs.sipwarden.toFixed(1)} µs per ms), per answer; drachtio cpu: that app's drachtio-server's CPU per answer\n`,
    ].join('\n'),
  );
  console.log('== overhead, sipwarden / bare drachtio-srf ==');
  console.log(overheadTable(rows));
  const typical = (pick: (o: Overhead) => number, kase: Case) => median(rows.filter((o) => o.case === kase).map(pick));
  for (const kase of CASES) {
    if (!rows.some((o) => o.case === kase)) continue;
    console.log(
      `${kase}: median over rates: answered/s ${ratio(typical((o) => o.throughput, kase))}, p50 ${ratio(typical((o) => o.p50, kase))}, ` +
        `p99 ${ratio(typical((o) => o.p99, kase))}, cpu/answer ${ratio(typical((o) => o.cpu, kase))} (median round ${ratio(typical((o) => o.cpuMedianRound, kase))})`,
    );
  }
  console.log(
    '(p99 moves with any other load on the machine, see p99 by round; p50 and cpu/answer are the steadier figures, and the median round the steadiest: a garbage collection or a busy spell in one round moves the pooled cpu/answer of its cell)',
  );

  const seconds = (performance.now() - started) / 1000;
  const loadAtEnd = os.loadavg()[0]!;
  const loads = [loadAtStart, ...runs.map((run) => run.loadAverage), loadAtEnd];
  const busy = Math.max(...loads) > os.availableParallelism() ? '  (machine busy: tails unreliable)' : '';
  console.log(
    `\ntotal ${seconds.toFixed(0)} s, load average at start ${loadAtStart.toFixed(2)}, after each run ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}, ` +
      `at end ${loadAtEnd.toFixed(2)}${busy}\n`,
  );
  const summary = {
    bench: 'sip',
    commit: measuredCommit('src'),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.availableParallelism(),
    drachtio: version,
    seconds: Math.round(seconds),
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    listSize: options.listSize,
    secondsPerRun: options.seconds,
    rounds: options.rounds,
    idleCpuUsPerMs: idleUsPerMs,
    results,
    runs: runs.map(({ rtts, ...run }) => {
      const sorted = [...rtts].sort((a, b) => a - b);
      return { ...run, answered: rtts.length, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
    }),
    overhead: rows,
  };
  console.log(JSON.stringify(summary));
}

await main();
// Sockets of drachtio-srf and ioredis may linger a moment after close; the results are out.
process.exit(0);
