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
import { median } from './lib/measure.js';

const UPDATES = 1000;
/** Lists in the reconciliation case: 5,000 tenants with a sip and a webrtc list each. */
const LISTS = 10_000;
const RECONCILIATIONS = 20;
const BIG_LIST = 1_000_000;
const logger = pino({ level: 'silent' });

async function connect(url: string) {
  const client = createRedisClient({ url, commandTimeoutMs: 30_000 });
  await connectRedis(client, 5000);
  const keys = new KeySchema();
  const source = new RedisListSource(client, keys, logger);
  return { client, source, writer: new RedisListWriter(client, keys, source) };
}

async function startCache(url: string, reconcileMs = 5000) {
  const { client, source } = await connect(url);
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
  /** Median wall time of one reconciliation pass, in ms. */
  readonly medianMs: number;
  readonly minMs: number;
  /** What Redis executed for the last pass (every pass costs the same). */
  readonly counts: CommandCounts;
}

/**
 * One reconciliation of an edge that holds LISTS lists, none changed: what
 * every edge pays every SIPWARDEN_RECONCILE_MS. Timed from reconcile() to its
 * end, commands counted by INFO commandstats deltas on the bench's own server.
 */
async function reconciliation(redis: RedisServer): Promise<Reconciliation> {
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
  const edge = await startCache(redis.url, 3_600_000);
  const stats = redis.client();
  try {
    for (let i = 0; i < 3; i++) await edge.cache.reconcile();
    const times: number[] = [];
    let counts: CommandCounts | undefined;
    for (let i = 0; i < RECONCILIATIONS; i++) {
      const counted = await countCommands(stats, async () => {
        const started = performance.now();
        await edge.cache.reconcile();
        return performance.now() - started;
      });
      times.push(counted.result);
      counts = counted.counts;
    }
    const errors = (await edge.registry.getSingleMetric('sipwarden_store_errors_total')?.get())?.values[0]?.value ?? 0;
    if (errors !== 0) throw new Error(`${errors} reconciliations failed`);
    if (!edge.cache.decide(`tenant-${(LISTS - 1) >> 1}`, 'webrtc', `10.${((LISTS - 1) >> 8) & 255}.${(LISTS - 1) & 255}.2`).allow) {
      throw new Error('the last list is not enforced');
    }
    return { medianMs: median(times), minMs: Math.min(...times), counts: counts! };
  } finally {
    stats.disconnect();
    await edge.close();
  }
}

async function flush(redis: RedisServer): Promise<void> {
  const client = redis.client();
  await client.flushall();
  client.disconnect();
}

function describeCounts(counts: CommandCounts): string {
  const calls = [...counts.calls].sort(([a], [b]) => a.localeCompare(b)).map(([name, n]) => `${name} ${n.toLocaleString('en-US')}`);
  return `${calls.join(', ')}; ${(counts.inputBytes / 1024).toFixed(0)} KiB to Redis, ${(counts.outputBytes / 1024).toFixed(0)} KiB back`;
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
  const reconciled = await reconciliation(redis);
  await flush(redis);
  console.log(`one reconciliation of ${LISTS.toLocaleString('en-US')} unchanged lists (${RECONCILIATIONS} passes):`);
  console.log(`  median ${reconciled.medianMs.toFixed(1)} ms   min ${reconciled.minMs.toFixed(1)} ms`);
  console.log(`  Redis ran ${reconciled.counts.total.toLocaleString('en-US')} commands (scripts' own calls included): ${describeCounts(reconciled.counts)}`);
  const big = await bigListLoad(redis.url);
  console.log(`1,000,000-entry list: SET ${big.setMs.toFixed(0)} ms; edge start to enforcing (read + parse + compile) ${big.loadMs.toFixed(0)} ms`);
  const reconciliationJson = { lists: LISTS, medianMs: reconciled.medianMs, minMs: reconciled.minMs, commands: Object.fromEntries(reconciled.counts.calls) };
  console.log(JSON.stringify({ propagation: { p50, p99, max, updates: UPDATES }, reconciliation: reconciliationJson, bigList: big }));
} finally {
  await redis.stop();
}
