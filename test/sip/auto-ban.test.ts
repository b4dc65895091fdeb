/**
 * Auto-ban against a real redis-server and a real live cache (issue 14): a
 * source past the threshold lands in the set drachtio-server's blacklist
 * reads, with its expiry and why beside it; a source an enabled list of
 * another tenant allows, a never-ban address and a forwarded one are spared;
 * the sweep lifts an expired ban and, at once, the ban of an address an admin
 * adds to a list.
 */
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AutoBan, type AutoBanSettings } from '../../src/sip/auto-ban.js';
import type { DeniedRequest } from '../../src/sip/denied-sources.js';
import { SparedSources } from '../../src/sip/spared-sources.js';
import { RedisBanList } from '../../src/store/ban-list.js';
import type { ListCache } from '../../src/store/list-cache.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { type RedisStore, entries, newCache, redisStore } from '../store/fixtures.js';

let redis: RedisServer;
let store: RedisStore;
let raw: Redis;
let cache: ListCache;
const running: AutoBan[] = [];

const SETTINGS: AutoBanSettings = { threshold: 20, windowMs: 10_000, durationMs: 60_000, sweepMs: 100, by: 'test-edge' };
const NEVER_BAN = '198.51.100.0/24';

beforeAll(async () => {
  redis = await RedisServer.start();
  store = await redisStore(redis.url, capturingLogger().logger);
  raw = redis.client();
  // Tenant other allows 203.0.113.50 in its webrtc list; tenant acme denies everything but 192.0.2.1.
  await store.writer.write({ tenant: 'other', scope: 'webrtc' }, { enabled: true, entries: entries('203.0.113.50') }, { actor: 't' });
  await store.writer.write({ tenant: 'acme', scope: 'sip' }, { enabled: true, entries: entries('192.0.2.1') }, { actor: 't' });
  cache = newCache(store.source).cache;
  await cache.start();
});

afterEach(async () => {
  for (const ban of running.splice(0)) await ban.stop();
});

afterAll(async () => {
  await cache.stop();
  store.close();
  raw.disconnect();
  await redis.stop();
});

function autoBan(settings: Partial<AutoBanSettings> = {}) {
  const { logger, lines } = capturingLogger();
  const registry = new Registry();
  const ban = new AutoBan({ ...SETTINGS, ...settings }, new RedisBanList(store.client, store.keys), new SparedSources(NEVER_BAN, cache), logger, registry);
  ban.start();
  running.push(ban);
  return { ban, lines, registry };
}

const denial = (address: string, at = Date.now(), more: Partial<DeniedRequest> = {}): DeniedRequest => ({ tenant: 'acme', scope: 'sip', address, method: 'REGISTER', transport: 'udp', at, ...more });
const knock = (ban: AutoBan, address: string, times: number, more: Partial<DeniedRequest> = {}) => {
  for (let i = 0; i < times; i++) ban.note(denial(address, Date.now(), more));
};
const banned = () => raw.smembers('sipwarden:{bans}');

describe('auto-ban', () => {
  it('bans a source denied more than the threshold within the window, once, with its expiry and reason beside it', async () => {
    const { ban, lines, registry } = autoBan();
    knock(ban, '203.0.113.7', 20);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await banned()).not.toContain('203.0.113.7');
    knock(ban, '203.0.113.7', 500);
    await until(async () => (await banned()).includes('203.0.113.7'), 2000, 'the ban');
    const until_ = Number(await raw.zscore('sipwarden:{bans}:until', '203.0.113.7'));
    expect(until_).toBeGreaterThan(Date.now() + 55_000);
    expect(JSON.parse((await raw.hget('sipwarden:{bans}:info', '203.0.113.7'))!)).toMatchObject({ reason: 'denied 21 times within 10 s', tenant: 'acme', scope: 'sip', denials: 21, by: 'test-edge' });
    expect(lines().filter((l) => l.event === 'sip_ban')).toEqual([expect.objectContaining({ address: '203.0.113.7', added: true })]);
    expect(await registry.metrics()).toMatch(/^sipwarden_bans_total 1$/m);
    expect(await new RedisBanList(store.client, store.keys).list()).toEqual([expect.objectContaining({ address: '203.0.113.7', until: until_ })]);
  });

  it('never bans a source an enabled list of another tenant allows, a never-ban address, or a forwarded one', async () => {
    const { ban, registry } = autoBan();
    knock(ban, '203.0.113.50', 100);
    knock(ban, '198.51.100.9', 100);
    knock(ban, '203.0.113.60', 100, { forwarded: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await banned()).not.toEqual(expect.arrayContaining(['203.0.113.50']));
    expect((await banned()).filter((a) => ['203.0.113.50', '198.51.100.9', '203.0.113.60'].includes(a))).toEqual([]);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^sipwarden_bans_spared_total\{reason="listed"\} 1$/m);
    expect(metrics).toMatch(/^sipwarden_bans_spared_total\{reason="never-ban"\} 1$/m);
  });

  it('lifts a ban when it expires, and at once when a list comes to allow the address', async () => {
    const { ban, lines } = autoBan({ durationMs: 400 });
    knock(ban, '203.0.113.8', 30);
    knock(ban, '203.0.113.9', 30);
    await until(async () => (await banned()).includes('203.0.113.8'), 2000, 'the bans');
    await until(async () => !(await banned()).includes('203.0.113.8'), 3000, 'the expiry');
    expect(await raw.zscore('sipwarden:{bans}:until', '203.0.113.8')).toBeNull();
    // The edge logs once its lift's reply is read, which may come after the test's own read saw the ban gone.
    const unbanned = (all: () => Array<Record<string, unknown>>, address: string, reason: string) => () =>
      all().some((l) => l.event === 'sip_unban' && l.address === address && l.reason === reason);
    await until(unbanned(lines, '203.0.113.8', 'expired'), 1000, 'the expiry logged');

    const { ban: long, lines: longLines } = autoBan({ durationMs: 3_600_000 });
    knock(long, '203.0.113.10', 30);
    await until(async () => (await banned()).includes('203.0.113.10'), 2000, 'the long ban');
    await store.writer.write({ tenant: 'acme', scope: 'sip' }, { enabled: true, entries: entries('192.0.2.1', '203.0.113.10') }, { actor: 'admin' });
    await until(async () => !(await banned()).includes('203.0.113.10'), 3000, 'the ban lifted by the list');
    // Either edge's sweep may lift it: both follow the same lists.
    await until(unbanned(() => [...lines(), ...longLines()], '203.0.113.10', 'allowed'), 1000, 'the lift logged as allowed');
  });
});
