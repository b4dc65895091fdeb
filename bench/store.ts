/**
 * Store benchmark (`npm run bench:store`): how fast an admin's write reaches
 * an edge's enforcement, what one reconciliation of 10,000 lists costs in
 * Redis commands and time, and how long a 1,000,000-entry list takes to load.
 * Runs its own redis-server on a free loopback port.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { KeySchema } from '../src/store/keys.js';
import { ListCache } from '../src/store/list-cache.js';
import { connectRedis, createRedisClient } from '../src/store/redis-connection.js';
import { RedisListSource } from '../src/store/redis-source.js';
import { RedisListWriter } from '../src/store/redis-writer.js';
import { type CommandCounts, countCommands } from '../test/store/command-stats.js';
import { RedisServer } from '../test/support/redis-server.js';
import { formatTable, median } from './lib/measure.js';
import { PerListEvalSource } from './lib/per-list-eval.js';

const UPDATES = 1000;
/** Lists in the reconciliation case: 5,000 tenants with a sip and a webrtc list each. */
const LISTS = 10_000;
const RECONCILIATIONS = 20;
const BIG_LIST = 1_000_000;
const logger = pino({ level: 'silent' });

type Reads = 'batched' | 'per-list-eval';

async function connect(url: string, reads: Reads = 'batched') {
  const client = createRedisClient({ url, commandTimeoutMs: 30_000 });
  await connectRedis(client, 5000);
  const keys = new KeySchema();
  const source = reads === 'batched' ? new RedisListSource(client, keys, logger) : new PerListEvalSource(client, keys, logger);
  return { client, source, writer: new RedisListWriter(client, keys, source) };
}

async function startCache(url: string, reconcileMs = 5000, reads: Reads = 'batched') {
  const { client, source } = await connect(url, reads);
  const registry = new Registry();
  const cache = new ListCache(source, { reconcileMs, logger, registry });
  const started = performance.now();
  await cache.start();
  return { cache, registry, loadMs: performance.now() - started, close: async () => (await cache.stop(), client.disconnect()) };
}

/** Spins on the event loop until `check` holds; returns the elapsed milliseconds. */
async function until(check: () => boolean, started: number): Promise<number> {
  while (!check()) await new Promise((r) => setImmediate(r));
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function propagation(url: string): Promise<number[]> {
  const admin = await connect(url);
  const edge = await startCache(url);
  const id = { tenant: 'bench', scope: 'sip' as const };
  const latencies: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    await admin.writer.write(id, { enabled: true, entries: [{ value: address, active: true }] }, { actor: 'bench' });
    const written = performance.now();
    latencies.push(await until(() => edge.cache.decide('bench', 'sip', address).allow, written));
  }
  await edge.close();
  admin.client.disconnect();
  return latencies.sort((a, b) => a - b);
}

interface Reconciliation {
  /** Wall time of each reconciliation pass, in ms. */
  readonly times: number[];
  /** What Redis executed for the last pass (every pass costs the same). */
  counts?: CommandCounts;
}

/**
 * One reconciliation of an edge that holds LISTS lists, none changed: what
 * every edge pays every SIPWARDEN_RECONCILE_MS. Two edges on the same data,
 * one reading fingerprints as sipwarden does now and one as it did up to
 * 7ca6a25 (an EVAL per list), passes interleaved so both see the same noise.
 * Timed from reconcile() to its end; commands counted by INFO commandstats
 * deltas on the bench's own server.
 */
async function reconciliation(redis: RedisServer): Promise<Record<Reads, Reconciliation>> {
  const admin = await connect(redis.url);
  for (let first = 0; first < LISTS; first += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, LISTS - first) }, (_, k) => {
        const i = first + k;
        const id = { tenant: `tenant-${i >> 1}`, scope: i % 2 === 0 ? ('sip' as const) : ('webrtc' as const) };
        const entries = [0, 1, 2].map((j) => ({ value: `10.${(i >> 8) & 255}.${i & 255}.${j}`, active: true }));
        return admin.writer.write(id, { enabled: true, entries }, { actor: 'bench' });
      }),
    );
  }
  admin.client.disconnect();
  // No timer pass during the measurement: reconcile() is called by hand.
  const edges = { batched: await startCache(redis.url, 3_600_000), 'per-list-eval': await startCache(redis.url, 3_600_000, 'per-list-eval') };
  const results: Record<Reads, Reconciliation> = { batched: { times: [] }, 'per-list-eval': { times: [] } };
  const stats = redis.client();
  try {
    for (const edge of Object.values(edges)) for (let i = 0; i < 3; i++) await edge.cache.reconcile();
    for (let i = 0; i < RECONCILIATIONS; i++) {
      for (const [reads, edge] of Object.entries(edges) as [Reads, (typeof edges)[Reads]][]) {
        const counted = await countCommands(stats, async () => {
          const started = performance.now();
          await edge.cache.reconcile();
          return performance.now() - started;
        });
        results[reads].times.push(counted.result);
        results[reads].counts = counted.counts;
      }
    }
    for (const [reads, edge] of Object.entries(edges)) {
      const errors = (await edge.registry.getSingleMetric('sipwarden_store_errors_total')?.get())?.values[0]?.value ?? 0;
      if (errors !== 0) throw new Error(`${reads}: ${errors} reconciliations failed`);
      const last = LISTS - 1;
      if (!edge.cache.decide(`tenant-${last >> 1}`, 'webrtc', `10.${(last >> 8) & 255}.${last & 255}.2`).allow) throw new Error(`${reads}: the last list is not enforced`);
    }
    return results;
  } finally {
    stats.disconnect();
    for (const edge of Object.values(edges)) await edge.close();
  }
}

/** The reconciliation figures, before (an EVAL per list) and now, with now/before ratios. */
function reconciliationTable(results: Record<Reads, Reconciliation>): { table: string; json: object } {
  const before = results['per-list-eval'];
  const after = results.batched;
  const ms = (r: Reconciliation) => median(r.times);
  const minMs = (r: Reconciliation) => Math.min(...r.times);
  const calls = (r: Reconciliation, name: string) => r.counts!.calls.get(name) ?? 0;
  const usec = (r: Reconciliation, name: string) => r.counts!.usec.get(name) ?? 0;
  const kib = (bytes: number) => bytes / 1024;
  const names = [...new Set([...before.counts!.calls.keys(), ...after.counts!.calls.keys()])].sort();
  const rows: Array<[string, (r: Reconciliation) => number, (n: number) => string]> = [
    ['median time', ms, (n) => `${n.toFixed(1)} ms`],
    ['fastest pass', minMs, (n) => `${n.toFixed(1)} ms`],
    ['script calls (eval + evalsha)', (r) => calls(r, 'eval') + calls(r, 'evalsha'), (n) => n.toLocaleString('en-US')],
    ['Redis time in scripts', (r) => (usec(r, 'eval') + usec(r, 'evalsha')) / 1000, (n) => `${n.toFixed(1)} ms`],
    ['Redis busy per script call (mean)', (r) => (usec(r, 'eval') + usec(r, 'evalsha')) / 1000 / (calls(r, 'eval') + calls(r, 'evalsha')), (n) => `${n.toFixed(2)} ms`],
    ['commands Redis ran, scripts\' own included', (r) => r.counts!.total, (n) => n.toLocaleString('en-US')],
    ...names.map((name): [string, (r: Reconciliation) => number, (n: number) => string] => [`  ${name}`, (r) => calls(r, name), (n) => n.toLocaleString('en-US')]),
    ['bytes to Redis', (r) => kib(r.counts!.inputBytes), (n) => `${n.toFixed(0)} KiB`],
    ['bytes from Redis', (r) => kib(r.counts!.outputBytes), (n) => `${n.toFixed(0)} KiB`],
  ];
  const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '-' : 'new') : `${(a / b).toFixed(a / b < 0.01 ? 4 : 2)}`);
  const table = formatTable(
    ['', 'before: EVAL per list', 'now: batched EVALSHA', 'now / before'],
    rows.map(([label, value, format]) => [label, format(value(before)), format(value(after)), ratio(value(after), value(before))]),
  );
  const figures = (r: Reconciliation) => ({ medianMs: ms(r), minMs: minMs(r), commands: Object.fromEntries(r.counts!.calls), inputBytes: r.counts!.inputBytes, outputBytes: r.counts!.outputBytes });
  return { table, json: { lists: LISTS, passes: RECONCILIATIONS, before: figures(before), now: figures(after) } };
}

async function flush(redis: RedisServer): Promise<void> {
  const client = redis.client();
  await client.flushall();
  client.disconnect();
}

async function bigListLoad(url: string): Promise<{ setMs: number; loadMs: number }> {
  const admin = await connect(url);
  const list = Array.from({ length: BIG_LIST }, (_, i) => `${10 + (i >>> 24)}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`).join(',');
  let started = performance.now();
  await admin.client.set('sipwarden:{big}:sip:cidrs', list);
  const setMs = performance.now() - started;
  const edge = await startCache(url);
  if (!edge.cache.decide('big', 'sip', '10.1.2.3').allow) throw new Error('1M list not enforced');
  await edge.close();
  admin.client.disconnect();
  return { setMs, loadMs: edge.loadMs };
}

const redis = await RedisServer.start();
try {
  const sorted = await propagation(redis.url);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const max = sorted[sorted.length - 1]!;
  console.log(`propagation over ${UPDATES} updates (write returned -> edge enforces), loopback:`);
  console.log(`  p50 ${p50.toFixed(2)} ms   p99 ${p99.toFixed(2)} ms   max ${max.toFixed(2)} ms   target p99 < 10 ms: ${p99 < 10 ? 'PASS' : 'FAIL'}`);
  await flush(redis);
  const reconciled = reconciliationTable(await reconciliation(redis));
  await flush(redis);
  console.log(`one reconciliation of ${LISTS.toLocaleString('en-US')} unchanged lists, ${RECONCILIATIONS} passes each, interleaved:`);
  console.log(reconciled.table.replace(/^/gm, '  '));
  const big = await bigListLoad(redis.url);
  console.log(`1,000,000-entry list: SET ${big.setMs.toFixed(0)} ms; edge start to enforcing (read + parse + compile) ${big.loadMs.toFixed(0)} ms`);
  console.log(JSON.stringify({ propagation: { p50, p99, max, updates: UPDATES }, reconciliation: reconciled.json, bigList: big }));
} finally {
  await redis.stop();
}
