/**
 * Policy engine benchmark: `npm run bench:policy` (also `npm run bench`).
 *
 * For allowlists of 100, 10,000 and 1,000,000 entries, each IPv4, IPv6 and
 * mixed 50/50, it measures lookups per second from address strings (what a SIP
 * stack hands over) for sipwarden's CidrMatcher and, in the same run, for
 * node:net BlockList, ipaddr.js subnetMatch and the cidr-matcher package; plus
 * sipwarden's compile time (parseCidrList + CidrMatcher.compile from the
 * comma-separated text) and, at 1,000,000 entries, the memory the compiled
 * list keeps. Targets are printed as PASS/FAIL; the exit code stays 0.
 *
 * Each rate is measured in short rounds; the table gives the median round and
 * the fastest. This machine's other tenants slow the same code by up to 2x
 * with no steal time reported, and interference only ever slows code down, so
 * the speed targets are judged on the fastest round (the minimum-time
 * estimator: Chen & Revels, "Robust benchmarking in noisy environments",
 * 2016); ratios to peers compare medians measured in the same run.
 *
 * Lists and probes are deterministic (see lib/policy-data.ts). Each lookup
 * rate is time-bounded; peers are linear scans, so their construction is
 * bounded too and skipped at sizes where it would not fit the budget.
 *
 * Options: --sizes 100,10000  --flavours ipv4,mixed  --measure-ms 500  --peer-budget-s 20
 */
import { measuredCommit } from './lib/commit.js';
import { BlockList } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import CIDRMatcher from 'cidr-matcher';
import ipaddr from 'ipaddr.js';
import { CidrMatcher, parseCidrList } from '../src/policy/index.js';
import {
  collectGarbage,
  formatBytes,
  formatCount,
  formatMs,
  formatRate,
  formatTable,
  hasGc,
  heapDelta,
  measure,
  median,
  timeRuns,
  warmUp,
} from './lib/measure.js';
import { type Dataset, type Entry, FLAVOURS, type Flavour, PROBE_COUNT, generate, isFlavour, maxPrefix } from './lib/policy-data.js';

// ---------------------------------------------------------------- settings

const DEFAULT_SIZES = [100, 10_000, 1_000_000];
const MIN_LOOKUPS = 5;
/** Rounds per measuring window; this machine class is noisy. */
const MEASURE_ROUNDS = 5;
/** sipwarden's figures are the ones quoted, so they get more time. */
const SIPWARDEN_TIME_FACTOR = 2;
/** Time given to checking a peer's answers against sipwarden's. */
const AGREEMENT_MS = 200;
/** Compile timings: at least this many runs, and this much time in total. */
const COMPILE_RUNS = 5;
const COMPILE_MIN_MS = 300;

const BIG = 1_000_000;
const MID = 10_000;
const TARGET_IPV4_PER_S = 5e6;
const TARGET_IPV6_PER_S = 2e6;
const TARGET_COMPILE_MS = 1500;
const TARGET_BLOCKLIST_RATIO = 100;

interface Options {
  readonly sizes: readonly number[];
  readonly flavours: readonly Flavour[];
  readonly measureMs: number;
  readonly peerBudgetMs: number;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      flavours: { type: 'string' },
      'measure-ms': { type: 'string' },
      'peer-budget-s': { type: 'string' },
    },
  });
  const flavours = values.flavours?.split(',') ?? [...FLAVOURS];
  for (const f of flavours) if (!isFlavour(f)) throw new Error(`unknown flavour ${f}, expected one of ${FLAVOURS.join(', ')}`);
  return {
    sizes: values.sizes?.split(',').map(Number) ?? DEFAULT_SIZES,
    flavours: flavours.filter(isFlavour),
    measureMs: Number(values['measure-ms'] ?? 500),
    peerBudgetMs: Number(values['peer-budget-s'] ?? 20) * 1000,
  };
}

// ---------------------------------------------------------------- implementations

function compileList(text: string): CidrMatcher {
  const parsed = parseCidrList(text);
  if (!parsed.ok) throw new Error(`benchmark list rejected: ${parsed.message.slice(0, 200)}`);
  return CidrMatcher.compile(parsed.list);
}

/** A peer library under construction, then queried. */
interface PeerIndex {
  add(entry: Entry): void;
  lookup(address: string): boolean;
}

interface Peer {
  readonly name: string;
  create(): PeerIndex;
}

const ipVersion = (address: string) => (address.includes(':') ? 'ipv6' : 'ipv4');

type IpRange = [ipaddr.IPv4 | ipaddr.IPv6, number];

const PEERS: readonly Peer[] = [
  {
    name: 'net.BlockList',
    create() {
      const list = new BlockList();
      return {
        add: (e) =>
          e.prefix === maxPrefix(e.family)
            ? list.addAddress(e.address, `ipv${e.family}`)
            : list.addSubnet(e.address, e.prefix, `ipv${e.family}`),
        lookup: (address) => list.check(address, ipVersion(address)),
      };
    },
  },
  {
    name: 'ipaddr.js',
    create() {
      // subnetMatch scans every range of the list; one list per family halves that.
      const ranges = { ipv4: { allow: [] as IpRange[] }, ipv6: { allow: [] as IpRange[] } };
      return {
        add: (e) => {
          const range = ipaddr.parseCIDR(e.cidr);
          ranges[range[0].kind()].allow.push(range);
        },
        lookup: (address) => {
          const parsed = ipaddr.parse(address);
          return ipaddr.subnetMatch(parsed, ranges[parsed.kind()], 'deny') === 'allow';
        },
      };
    },
  },
  {
    name: 'cidr-matcher',
    create() {
      const matcher = new CIDRMatcher();
      return { add: (e) => matcher.addNetworkClass(e.cidr), lookup: (address) => matcher.contains(address) };
    },
  },
];

type Built = { readonly index: PeerIndex; readonly buildMs: number } | { readonly skipped: string };

/** Adds every entry, giving up once `budgetMs` has passed. */
function buildPeer(peer: Peer, entries: readonly Entry[], budgetMs: number): Built {
  const index = peer.create();
  const start = performance.now();
  for (let i = 0; i < entries.length; i++) {
    index.add(entries[i]!);
    if ((i & 1023) === 1023 && performance.now() - start > budgetMs) {
      return { skipped: `construction > ${budgetMs / 1000} s (${formatCount(i + 1)} of ${formatCount(entries.length)} added)` };
    }
  }
  return { index, buildMs: performance.now() - start };
}

/** How many probes (of those checked within the time budget) a peer answers like sipwarden. */
function agreement(lookup: (address: string) => boolean, probes: readonly string[], expected: readonly boolean[]): string {
  const start = performance.now();
  let checked = 0;
  let agreed = 0;
  while (checked < probes.length && (checked === 0 || performance.now() - start < AGREEMENT_MS)) {
    if (lookup(probes[checked]!) === expected[checked]) agreed++;
    checked++;
  }
  return `${agreed}/${checked}${agreed === checked ? '' : '  MISMATCH'}`;
}

// ---------------------------------------------------------------- one size and flavour

interface ImplementationResult {
  readonly name: string;
  readonly buildMs?: number;
  /** Median over the measuring rounds. */
  readonly lookupsPerSecond?: number;
  /** The fastest round: the speed of the code itself, which the targets are judged on. */
  readonly bestPerSecond?: number;
  /** (fastest - slowest round) / median: how noisy the measurement was. */
  readonly spread?: number;
  /** sipwarden lookups/s divided by this implementation's. */
  readonly ratio?: number;
  readonly agreement?: string;
  readonly skipped?: string;
}

interface CaseResult {
  readonly size: number;
  readonly flavour: Flavour;
  readonly listChars: number;
  readonly compileMs: number;
  readonly compileRunsMs: readonly number[];
  readonly heap?: { readonly heapUsed: number; readonly arrayBuffers: number; readonly total: number };
  readonly implementations: readonly ImplementationResult[];
}

interface Target {
  readonly name: string;
  readonly measured: string;
  readonly pass: boolean;
}

interface LookupRate {
  readonly lookupsPerSecond: number;
  readonly bestPerSecond: number;
  readonly spread: number;
  readonly rounds: readonly number[];
}

function rateOf(rounds: readonly number[]): LookupRate {
  const lookupsPerSecond = median(rounds);
  const bestPerSecond = Math.max(...rounds);
  return { lookupsPerSecond, bestPerSecond, spread: (bestPerSecond - Math.min(...rounds)) / lookupsPerSecond, rounds };
}

function measureLookups(lookup: (address: string) => boolean, probes: readonly string[], minMs: number): LookupRate {
  collectGarbage();
  warmUp(lookup, probes);
  collectGarbage();
  return rateOf(measure(lookup, probes, { minMs, minOperations: MIN_LOOKUPS, rounds: MEASURE_ROUNDS }).rounds);
}

/** A peer build estimated (from its last, smaller build) at over this many budgets is not tried. */
const SKIP_ESTIMATE_FACTOR = 1.5;
/** ms per entry of each peer's last build, per flavour, to skip builds that cannot fit the budget. */
const buildCosts = new Map<string, number>();

interface PeerCase {
  readonly data: Dataset;
  readonly entries: readonly Entry[];
  /** sipwarden's answer for each probe. */
  readonly expected: readonly boolean[];
}

function runPeer(peer: Peer, { data, entries, expected }: PeerCase, options: Options): ImplementationResult {
  const costKey = `${peer.name}/${data.flavour}`;
  const estimateMs = (buildCosts.get(costKey) ?? 0) * data.size;
  // Estimates from a small build are rough; only skip what is clearly out of reach.
  if (estimateMs > SKIP_ESTIMATE_FACTOR * options.peerBudgetMs) {
    return { name: peer.name, skipped: `construction est. ${formatMs(estimateMs)} > ${options.peerBudgetMs / 1000} s` };
  }
  collectGarbage();
  const built = buildPeer(peer, entries, options.peerBudgetMs);
  if ('skipped' in built) return { name: peer.name, skipped: built.skipped };
  buildCosts.set(costKey, built.buildMs / data.size);
  const lookup = built.index.lookup;
  const checked = agreement(lookup, data.probes, expected);
  const { rounds: _, ...rate } = measureLookups(lookup, data.probes, options.measureMs);
  return { name: peer.name, buildMs: built.buildMs, ...rate, agreement: checked };
}

function runCase(data: Dataset, options: Options): CaseResult {
  // Compile time from the text; the heap a 1,000,000-entry list keeps, in its own run.
  const compile = timeRuns(() => compileList(data.text), COMPILE_RUNS, COMPILE_MIN_MS);
  const heap = data.size >= BIG && hasGc() ? heapDelta(() => compileList(data.text)) : undefined;
  const matcher = heap?.result ?? compile.result;
  const lookup = (address: string) => matcher.lookup(address) >= 0;
  const expected = data.probes.map(lookup);
  // sipwarden's rounds are split into windows, one before each peer and one
  // after the last: a busy spell on the host (other tenants slow this machine
  // by up to 2x) then rarely covers them all.
  const window = (SIPWARDEN_TIME_FACTOR * options.measureMs) / (PEERS.length + 1);
  const rounds: number[] = [];
  const measureWindow = () => rounds.push(...measureLookups(lookup, data.probes, window).rounds);
  const peerCase: PeerCase = { data, entries: data.entries(), expected };
  const peers = PEERS.map((peer) => {
    measureWindow();
    return runPeer(peer, peerCase, options);
  });
  measureWindow();
  const { rounds: _, ...rate } = rateOf(rounds);
  const sipwarden: ImplementationResult = { name: 'sipwarden', buildMs: compile.medianMs, ...rate, ratio: 1, agreement: 'reference' };
  const withRatios = peers.map((p) => (p.lookupsPerSecond === undefined ? p : { ...p, ratio: rate.lookupsPerSecond / p.lookupsPerSecond }));
  return {
    size: data.size,
    flavour: data.flavour,
    listChars: data.text.length,
    compileMs: compile.medianMs,
    compileRunsMs: compile.runs.length <= COMPILE_RUNS ? compile.runs : [],
    ...(heap === undefined ? {} : { heap: { heapUsed: heap.heapUsed, arrayBuffers: heap.arrayBuffers, total: heap.total } }),
    implementations: [sipwarden, ...withRatios],
  };
}

function targetsFor(result: CaseResult): Target[] {
  const targets: Target[] = [];
  const { lookupsPerSecond: median, bestPerSecond: best } = result.implementations[0]!;
  const label = `${formatCount(result.size)} ${result.flavour}`;
  const rateTarget = { ipv4: TARGET_IPV4_PER_S, ipv6: TARGET_IPV6_PER_S, mixed: undefined }[result.flavour];
  if (result.size === BIG && rateTarget !== undefined) {
    targets.push({
      name: `${label}: >= ${formatRate(rateTarget)} lookups/s (fastest round)`,
      measured: `${formatRate(best!)}/s, median ${formatRate(median!)}/s`,
      pass: best! >= rateTarget,
    });
  }
  if (result.size === BIG) {
    targets.push({ name: `${label}: compile < ${formatMs(TARGET_COMPILE_MS)}`, measured: formatMs(result.compileMs), pass: result.compileMs < TARGET_COMPILE_MS });
  }
  const blockList = result.implementations.find((i) => i.name === 'net.BlockList');
  if (result.size === MID && blockList?.ratio !== undefined) {
    targets.push({
      name: `${label}: >= ${TARGET_BLOCKLIST_RATIO}x net.BlockList`,
      measured: `${blockList.ratio.toFixed(0)}x`,
      pass: blockList.ratio >= TARGET_BLOCKLIST_RATIO,
    });
  }
  return targets;
}

// ---------------------------------------------------------------- output

function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined) return '';
  return ratio >= 100 ? `${formatCount(Math.round(ratio))}x` : `${ratio.toFixed(2)}x`;
}

function report(result: CaseResult, targets: readonly Target[]): string {
  const rows = result.implementations.map((i) =>
    i.skipped !== undefined
      ? [i.name, '-', '-', '-', '', '-', `skipped: ${i.skipped}`]
      : [
          i.name,
          formatMs(i.buildMs!),
          `${formatRate(i.lookupsPerSecond!)}/s`,
          `${formatRate(i.bestPerSecond!)}/s`,
          `±${Math.round((i.spread! * 100) / 2)}%`,
          i.name === 'sipwarden' ? '' : formatRatio(i.ratio),
          i.agreement ?? '',
        ],
  );
  const lines = [
    `== ${formatCount(result.size)} entries, ${result.flavour} (list text ${formatBytes(result.listChars)}, ${PROBE_COUNT} probes) ==`,
    formatTable(['implementation', 'build', 'lookups (median)', 'fastest round', 'noise', 'sipwarden/peer', 'agrees with sipwarden'], rows),
    `compile (parseCidrList + CidrMatcher.compile), median of ${result.compileRunsMs.length || 'many'} runs: ${formatMs(result.compileMs)}` +
      (result.compileRunsMs.length > 0 ? ` [${result.compileRunsMs.map(formatMs).join(', ')}]` : ''),
  ];
  if (result.heap !== undefined) {
    const { heapUsed, arrayBuffers, total } = result.heap;
    lines.push(`memory kept by the compiled list: ${formatBytes(total)} (heapUsed ${formatBytes(heapUsed)} + arrayBuffers ${formatBytes(arrayBuffers)}; the list text itself not counted)`);
  }
  for (const t of targets) lines.push(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured}`);
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const options = readOptions();
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  console.log(`sipwarden policy benchmark: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, load average ${loadAtStart.toFixed(2)}`);
  if (!hasGc()) console.log('note: run with --expose-gc (npm run bench does) for memory figures and steadier timings');
  console.log('lookups from address strings; build = compile from the list text (sipwarden) or adding every entry (peers)\n');

  const results: CaseResult[] = [];
  const targets: Target[] = [];
  for (const size of options.sizes) {
    for (const flavour of options.flavours) {
      const result = runCase(generate(size, flavour), options);
      const caseTargets = targetsFor(result);
      console.log(report(result, caseTargets));
      results.push(result);
      targets.push(...caseTargets);
      collectGarbage();
    }
  }

  const seconds = (performance.now() - started) / 1000;
  console.log('== targets ==');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured}`);
  const loadAtEnd = os.loadavg()[0]!;
  // Other work on the machine skews every figure; say so rather than let it pass for a regression.
  const busy = Math.max(loadAtStart, loadAtEnd) > os.availableParallelism() ? '  (machine busy: figures unreliable)' : '';
  console.log(`\ntotal ${seconds.toFixed(0)} s, load average at end ${loadAtEnd.toFixed(2)}${busy}\n`);
  const summary = {
    bench: 'policy',
    commit: measuredCommit('src/policy'),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cores: os.availableParallelism(),
    seconds: Math.round(seconds),
    loadAverage: { start: loadAtStart, end: loadAtEnd },
    results,
    targets,
  };
  console.log(JSON.stringify(summary));
}

main();
