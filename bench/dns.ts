/**
 * DNS name benchmark: `npm run bench:dns`.
 *
 * 1. Decisions per second through the live cache (ListCache.decide, the call
 *    the SIP edge and /v1/authorize make) for a list of 10,000 CIDRs plus 100
 *    DNS names, against the same 10,000 CIDRs without names, measured in
 *    alternating rounds in the same run; the ratio's target is >= 0.9. The
 *    probes are the policy benchmark's (half inside an entry, half random),
 *    one in 16 of them replaced by an address a name resolves to.
 * 2. The cost of one name's refresh at 1,000,000 static entries and 1,000
 *    names in the same list: the name's new address applied by the resolver
 *    (ListCache.refreshName: both queries answered, the answer applied, the
 *    shared name table updated), timed per refresh, against compiling the
 *    1,000,000-entry list once (what a refresh would cost if names were
 *    compiled into the list's table). Target: well under a millisecond.
 *
 * DNS answers come from an in-process stand-in for dns.Resolver (resolved
 * promises), so what is timed is sipwarden's work, not a network's.
 *
 * Options: --measure-ms 3000 --refreshes 2000
 */
import type { RecordWithTtl } from 'node:dns';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { DnsClient } from '../src/dns/index.js';
import { compileScopePolicy } from '../src/policy/index.js';
import { ListCache } from '../src/store/list-cache.js';
import type { ListSource, Watch } from '../src/store/list-source.js';
import { type RawList, fingerprintOf } from '../src/store/raw-list.js';
import { NOT_KEPT } from '../src/store/store-marker.js';
import { measuredCommit } from './lib/commit.js';
import { collectGarbage, formatCount, formatMs, formatRate, formatTable, measure, median, timeRuns, warmUp } from './lib/measure.js';
import { PROBE_COUNT, generate } from './lib/policy-data.js';

const TARGET_RATIO = 0.9;
const TARGET_REFRESH_MS = 1;
const ROUNDS = 10;

function readOptions() {
  const { values } = parseArgs({ options: { 'measure-ms': { type: 'string' }, refreshes: { type: 'string' } } });
  return { measureMs: Number(values['measure-ms'] ?? 3000), refreshes: Number(values.refreshes ?? 2000) };
}

/** Lists held in memory: the cache reads them as it would from Redis. */
class MemorySource implements ListSource {
  constructor(private readonly lists: readonly RawList[]) {}
  async readAll() {
    return { lists: [...this.lists], marker: NOT_KEPT };
  }
  async read(id: { tenant: string; scope: string }) {
    return { ...this.lists.find((l) => l.tenant === id.tenant && l.scope === id.scope)!, marker: NOT_KEPT };
  }
  async readDomains() {
    return { domains: new Map<string, string>(), marker: NOT_KEPT };
  }
  async fingerprint(id: { tenant: string; scope: string }) {
    return fingerprintOf(await this.read(id));
  }
  async fingerprints() {
    return { fingerprints: new Map(this.lists.map((l) => [`${l.tenant}\u0000${l.scope}`, fingerprintOf(l)])), marker: NOT_KEPT };
  }
  async watch(): Promise<Watch> {
    return { live: Promise.resolve(), stop: async () => undefined };
  }
}

/** dns.Resolver's answers from a table: name -> its A records now (no AAAA). */
class TableDns implements DnsClient {
  readonly a = new Map<string, string[]>();
  async resolve4(name: string): Promise<RecordWithTtl[]> {
    return (this.a.get(name) ?? []).map((address) => ({ address, ttl: 300 }));
  }
  async resolve6(): Promise<RecordWithTtl[]> {
    throw Object.assign(new Error('queryAaaa ENODATA'), { code: 'ENODATA' });
  }
  cancel(): void {}
}

const nameOf = (i: number) => `agent${i}.dyn.example.net`;
/** An address in 100.64.0.0/10, outside the generated lists' reach for all practical purposes. */
const addressOf = (i: number, generation: number) => `100.${64 + (generation % 64)}.${(i >> 8) & 255}.${i & 255}`;

function raw(tenant: string, cidrs: string): RawList {
  return { tenant, scope: 'sip', cidrs, enabled: '1', entries: {}, rev: '1' };
}

/** A generated list of `size` CIDRs and `count` names, each resolving to its generation-0 address. */
function namedList(size: number, count: number) {
  const data = generate(size, 'mixed');
  const names = Array.from({ length: count }, (_, i) => nameOf(i));
  const dns = new TableDns();
  names.forEach((name, i) => dns.a.set(name, [addressOf(i, 0)]));
  return { data, names, dns, text: `${data.text},${names.join(',')}` };
}

async function startedCache(lists: readonly RawList[], dns: TableDns): Promise<ListCache> {
  const cache = new ListCache(new MemorySource(lists), {
    reconcileMs: 3_600_000,
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    dns: { client: dns, minTtlMs: 3_600_000, maxTtlMs: 3_600_000 },
  });
  await cache.start();
  await cache.namesSettled();
  return cache;
}

interface DecisionResult {
  readonly withNames: number;
  readonly withoutNames: number;
  readonly bestWith: number;
  readonly bestWithout: number;
  readonly ratio: number;
  readonly nameMatches: number;
}

async function decisionRates(measureMs: number): Promise<DecisionResult> {
  const { data, names, dns, text } = namedList(10_000, 100);
  const cache = await startedCache([raw('plain', data.text), raw('named', text)], dns);
  const probes = data.probes.map((probe, i) => (i % 16 === 0 ? addressOf(i % names.length, 0) : probe));
  const plain = (source: string) => cache.decide('plain', 'sip', source).allow;
  const named = (source: string) => cache.decide('named', 'sip', source).allow;
  // Both must agree on every probe but those a name allows.
  let nameMatches = 0;
  for (const probe of probes) {
    const decision = cache.decide('named', 'sip', probe);
    if (decision.entry?.resolved !== undefined) nameMatches++;
    else if (decision.allow !== plain(probe)) throw new Error(`the lists disagree on ${probe}`);
  }
  warmUp(plain, probes);
  warmUp(named, probes);
  const roundsWith: number[] = [];
  const roundsWithout: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    collectGarbage();
    // Alternating, so a busy spell on the machine slows both alike.
    const [first, second] = r % 2 === 0 ? [plain, named] : [named, plain];
    const a = measure(first, probes, { minMs: measureMs / (2 * ROUNDS), minOperations: 1, rounds: 1 }).perSecond;
    const b = measure(second, probes, { minMs: measureMs / (2 * ROUNDS), minOperations: 1, rounds: 1 }).perSecond;
    (first === plain ? roundsWithout : roundsWith).push(a);
    (second === plain ? roundsWithout : roundsWith).push(b);
  }
  await cache.stop();
  const withNames = median(roundsWith);
  const withoutNames = median(roundsWithout);
  return { withNames, withoutNames, bestWith: Math.max(...roundsWith), bestWithout: Math.max(...roundsWithout), ratio: withNames / withoutNames, nameMatches };
}

interface RefreshResult {
  readonly entries: number;
  readonly names: number;
  readonly refreshes: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly compileMs: number;
}

async function refreshCost(refreshes: number): Promise<RefreshResult> {
  const { data, names, dns, text } = namedList(1_000_000, 1000);
  const cache = await startedCache([raw('big', text)], dns);
  const times: number[] = [];
  for (let k = 0; k < refreshes; k++) {
    const i = (k * 7919) % names.length;
    const generation = Math.floor(k / names.length) + 1;
    const before = addressOf(i, generation - 1);
    const after = addressOf(i, generation);
    dns.a.set(names[i]!, [after]);
    const start = performance.now();
    await cache.refreshName(names[i]!);
    times.push(performance.now() - start);
    // (An address a static block also holds stays allowed by that block.)
    if (!cache.decide('big', 'sip', after).allow || cache.decide('big', 'sip', before).entry?.resolved !== undefined) {
      throw new Error(`refresh of ${names[i]} not enforced`);
    }
  }
  await cache.stop();
  // The peer: the same list compiled again, which a design that folds names into the list's table would pay per refresh.
  const compile = timeRuns(() => compileScopePolicy({ scope: 'sip', enabled: true, list: text }), 3, 0);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    entries: data.size,
    names: names.length,
    refreshes,
    medianMs: median(times),
    p99Ms: sorted[Math.floor(0.99 * (sorted.length - 1))]!,
    maxMs: sorted[sorted.length - 1]!,
    compileMs: compile.medianMs,
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  const load = os.loadavg()[0]!;
  console.log(`sipwarden DNS name benchmark: node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, load average ${load.toFixed(2)}\n`);

  const decisions = await decisionRates(options.measureMs);
  console.log(`== decisions through ListCache.decide, 10,000 mixed CIDRs (${PROBE_COUNT} probes, 1 in 16 a name's address) ==`);
  console.log(
    formatTable(
      ['list', 'decisions (median)', 'fastest round', 'with/without'],
      [
        ['10,000 CIDRs', `${formatRate(decisions.withoutNames)}/s`, `${formatRate(decisions.bestWithout)}/s`, ''],
        ['10,000 CIDRs + 100 names', `${formatRate(decisions.withNames)}/s`, `${formatRate(decisions.bestWith)}/s`, `${decisions.ratio.toFixed(2)}x`],
      ],
    ),
  );
  console.log(`(${decisions.nameMatches} of ${PROBE_COUNT} probes allowed through a name; all others decided alike)\n`);

  collectGarbage();
  const refresh = await refreshCost(options.refreshes);
  console.log(`== one name's refresh: ${formatCount(refresh.entries)} static entries and ${formatCount(refresh.names)} names in one list ==`);
  console.log(
    formatTable(
      ['what', 'time'],
      [
        [`a name's new address applied (median of ${formatCount(refresh.refreshes)} refreshes)`, formatMs(refresh.medianMs)],
        ['p99', formatMs(refresh.p99Ms)],
        ['max', formatMs(refresh.maxMs)],
        ['peer: compiling the list again', formatMs(refresh.compileMs)],
      ],
    ),
  );
  console.log(`recompile / refresh: ${formatCount(Math.round(refresh.compileMs / refresh.medianMs))}x\n`);

  const targets = [
    { name: `decision rate with 100 names >= ${TARGET_RATIO} of without`, measured: `${decisions.ratio.toFixed(2)}`, pass: decisions.ratio >= TARGET_RATIO },
    { name: `one name's refresh at 1,000,000 entries < ${TARGET_REFRESH_MS} ms (p99)`, measured: formatMs(refresh.p99Ms), pass: refresh.p99Ms < TARGET_REFRESH_MS },
  ];
  console.log('== targets ==');
  for (const t of targets) console.log(`${t.pass ? 'PASS' : 'FAIL'}  ${t.name}: ${t.measured}`);
  const loadAtEnd = os.loadavg()[0]!;
  const busy = Math.max(load, loadAtEnd) > os.availableParallelism() ? '  (machine busy: figures unreliable)' : '';
  console.log(`\nload average at end ${loadAtEnd.toFixed(2)}${busy}\n`);
  console.log(JSON.stringify({ bench: 'dns', commit: measuredCommit('src'), node: process.version, decisions, refresh, targets }));
}

await main();
