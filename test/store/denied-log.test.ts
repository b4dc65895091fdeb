/**
 * The record of denied sources in a real redis-server (issue 14): edges' rows
 * add up per source, a tenant's record is bounded and expires, reads order by
 * recency or count and skip hand-written garbage; the reporter keeps an
 * interval's rows through a Redis outage and delivers them after it.
 */
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeniedReporter } from '../../src/sip/denied-reporter.js';
import { DeniedSourceTable } from '../../src/sip/denied-sources.js';
import { type DeniedSource, RedisDeniedLog } from '../../src/store/denied-log.js';
import { KeySchema } from '../../src/store/keys.js';
import { type RedisClient, connectRedis, createRedisClient } from '../../src/store/redis-connection.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';

const keys = new KeySchema();
let redis: RedisServer;
let client: RedisClient;
let raw: Redis;

beforeAll(async () => {
  redis = await RedisServer.start();
  client = createRedisClient({ url: redis.url, commandTimeoutMs: 1000 });
  client.on('error', () => undefined);
  if (!(await connectRedis(client, 2000))) throw new Error('redis did not answer');
  raw = redis.client();
});

afterAll(async () => {
  client.disconnect();
  raw.disconnect();
  await redis.stop();
});

const source = (tenant: string, address: string, count: number, lastSeen: number, more: Partial<DeniedSource> = {}): DeniedSource => ({
  tenant,
  scope: 'sip',
  address,
  count,
  firstSeen: lastSeen - 1000,
  lastSeen,
  method: 'REGISTER',
  transport: 'udp',
  ...more,
});

describe('RedisDeniedLog', () => {
  it('adds up the rows of several edges per source, keeping the earliest first and the latest description', async () => {
    const log = new RedisDeniedLog(client, keys);
    await log.add([source('sum.example', '192.0.2.1', 5, 10_000, { userAgent: 'edge-a' }), source('sum.example', '192.0.2.2', 1, 9000)]);
    await log.add([source('sum.example', '192.0.2.1', 7, 8000, { userAgent: 'edge-b', firstSeen: 1000 })]);
    const [first, second] = await log.read('sum.example');
    expect(first).toEqual({ tenant: 'sum.example', scope: 'sip', address: '192.0.2.1', count: 12, firstSeen: 1000, lastSeen: 10_000, method: 'REGISTER', transport: 'udp', userAgent: 'edge-a' });
    expect(second).toMatchObject({ address: '192.0.2.2', count: 1 });
    expect(await raw.ttl('sipwarden:{sum.example}:denied')).toBeGreaterThan(6 * 24 * 3600);
    expect(await raw.ttl('sipwarden:{sum.example}:denied:seen')).toBeGreaterThan(6 * 24 * 3600);
  });

  it('keeps a tenant to its newest sources, and orders by recency or count, one scope or all', async () => {
    const log = new RedisDeniedLog(client, keys, { maxSources: 3, ttlSeconds: 60 });
    await log.add([1, 2, 3, 4, 5].map((i) => source('cap.example', `192.0.2.${i}`, 10 - i, i * 1000, i === 5 ? { scope: 'webrtc', transport: 'wss' } : {})));
    expect((await log.read('cap.example')).map((s) => s.address)).toEqual(['192.0.2.5', '192.0.2.4', '192.0.2.3']);
    expect((await log.read('cap.example', { order: 'busiest' })).map((s) => s.count)).toEqual([7, 6, 5]);
    expect((await log.read('cap.example', { scope: 'webrtc' })).map((s) => s.address)).toEqual(['192.0.2.5']);
    expect((await log.read('cap.example', { limit: 1 })).map((s) => s.address)).toEqual(['192.0.2.5']);
    expect(await raw.hlen('sipwarden:{cap.example}:denied')).toBe(3);
    expect(await raw.ttl('sipwarden:{cap.example}:denied')).toBeLessThanOrEqual(60);
  });

  it('skips rows written by hand that are not its own, and replaces them when the edges add the source', async () => {
    const log = new RedisDeniedLog(client, keys);
    await raw.hset('sipwarden:{junk.example}:denied', 'sip/192.0.2.9', 'not json', 'nonsense/192.0.2.8', '{}', 'sip/192.0.2.7', '{"count":"many"}');
    expect(await log.read('junk.example')).toEqual([]);
    await log.add([source('junk.example', '192.0.2.9', 2, 5000)]);
    expect(await log.read('junk.example')).toEqual([expect.objectContaining({ address: '192.0.2.9', count: 2 })]);
  });

  it('forgets a source an admin allowed', async () => {
    const log = new RedisDeniedLog(client, keys);
    await log.add([source('forget.example', '192.0.2.1', 1, 1000)]);
    expect(await log.forget('forget.example', 'sip', '192.0.2.1')).toBe(true);
    expect(await log.forget('forget.example', 'sip', '192.0.2.1')).toBe(false);
    expect(await log.read('forget.example')).toEqual([]);
    expect(await raw.zcard('sipwarden:{forget.example}:denied:seen')).toBe(0);
  });
});

describe('DeniedReporter', () => {
  it('flushes at its interval, one write per tenant; through a Redis outage it keeps the counts and delivers them after', async () => {
    const table = new DeniedSourceTable(64);
    const registry = new Registry();
    const { logger, lines } = capturingLogger();
    const reporter = new DeniedReporter(table, new RedisDeniedLog(client, keys), 100, logger, registry);
    reporter.start();
    try {
      const note = (address: string) => table.note({ tenant: 'flood.example', scope: 'sip', address, method: 'REGISTER', transport: 'udp', at: Date.now() });
      for (let i = 0; i < 500; i++) note('192.0.2.66');
      const log = new RedisDeniedLog(client, keys);
      await until(async () => (await log.read('flood.example'))[0]?.count === 500, 3000, 'the first flush');

      await redis.kill();
      for (let i = 0; i < 300; i++) note('192.0.2.66');
      await until(() => lines().some((l) => l.msg === 'denied sources not recorded; kept for the next flush'), 5000, 'a failed flush');
      for (let i = 0; i < 200; i++) note('192.0.2.66');
      await redis.restart();
      await until(async () => (await log.read('flood.example').catch(() => []))[0]?.count === 1000, 10_000, 'the counts after the outage');
      const metrics = await registry.metrics();
      expect(metrics).toMatch(/^sipwarden_denied_flushes_total\{outcome="failed"\} [1-9]/m);
      expect(metrics).toMatch(/^sipwarden_denied_flushes_total\{outcome="ok"\} [1-9]/m);
    } finally {
      await reporter.stop();
    }
  });
});
