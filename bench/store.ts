/**
 * Store benchmark (`npm run bench:store`): how fast an admin's write reaches
 * an edge's enforcement, and how long a 1,000,000-entry list takes to load.
 * Runs its own redis-server on a free loopback port.
 */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { KeySchema } from '../src/store/keys.js';
import { ListCache } from '../src/store/list-cache.js';
import { connectRedis, createRedisClient } from '../src/store/redis-connection.js';
import { RedisListSource } from '../src/store/redis-source.js';
import { RedisListWriter } from '../src/store/redis-writer.js';
import { RedisServer } from '../test/support/redis-server.js';

const UPDATES = 1000;
const BIG_LIST = 1_000_000;
const logger = pino({ level: 'silent' });

async function connect(url: string) {
  const client = createRedisClient({ url, commandTimeoutMs: 30_000 });
  await connectRedis(client, 5000);
  const keys = new KeySchema();
  const source = new RedisListSource(client, keys, logger);
  return { client, source, writer: new RedisListWriter(client, keys, source) };
}

async function startCache(url: string) {
  const { client, source } = await connect(url);
  const cache = new ListCache(source, { reconcileMs: 5000, logger, registry: new Registry() });
  const started = performance.now();
  await cache.start();
  return { cache, loadMs: performance.now() - started, close: async () => (await cache.stop(), client.disconnect()) };
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
  const big = await bigListLoad(redis.url);
  console.log(`1,000,000-entry list: SET ${big.setMs.toFixed(0)} ms; edge start to enforcing (read + parse + compile) ${big.loadMs.toFixed(0)} ms`);
  console.log(JSON.stringify({ propagation: { p50, p99, max, updates: UPDATES }, bigList: big }));
} finally {
  await redis.stop();
}
