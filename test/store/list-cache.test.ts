import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListCache } from '../../src/store/list-cache.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { ACME_SIP, entries, newCache, redisForTests, redisStore } from './fixtures.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startCache(url: string, options: { reconcileMs?: number; snapshotPath?: string; prefix?: string } = {}) {
  const store = await redisStore(url, capturingLogger().logger, options.prefix);
  const made = newCache(store.source, options);
  await made.cache.start();
  cleanup.push(() => store.close(), () => made.cache.stop());
  return { ...made, store };
}

const allows = (cache: ListCache, source: string, tenant = 'acme') => cache.decide(tenant, 'sip', source).allow;

describe('ListCache on Redis', () => {
  const env = redisForTests();

  it('loads every list at start and enforces it', async () => {
    await env.admin.writer.write({ tenant: 'load-a', scope: 'sip' }, { enabled: true, entries: entries('192.0.2.0/24') }, { actor: 't' });
    await env.admin.writer.write({ tenant: 'load-b', scope: 'webrtc' }, { enabled: true, entries: entries('198.51.100.0/24') }, { actor: 't' });
    const { cache } = await startCache(env.redis.url);
    expect(cache.ready).toBe(true);
    expect(cache.decide('load-a', 'sip', '192.0.2.10')).toMatchObject({ allow: true, reason: 'matched' });
    expect(cache.decide('load-a', 'sip', '198.51.100.1')).toMatchObject({ allow: false, reason: 'no-match' });
    expect(cache.decide('load-b', 'webrtc', '198.51.100.1').allow).toBe(true);
    expect(cache.decide('unknown-tenant', 'sip', '198.51.100.1')).toEqual({ allow: true, reason: 'scope-disabled' });
  });

  it('applies a write within milliseconds through the change notification', async () => {
    const id = { tenant: 'notified', scope: 'sip' as const };
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.1') }, { actor: 't' });
    const { cache } = await startCache(env.redis.url, { reconcileMs: 60_000 });
    expect(cache.decide('notified', 'sip', '192.0.2.2').allow).toBe(false);
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.2', '192.0.2.1') }, { actor: 't' });
    const took = await until(() => cache.decide('notified', 'sip', '192.0.2.2').allow, 1000, 'notification');
    expect(took).toBeLessThan(500);
  });

  it('picks up a hand-made SET through keyspace notifications', async () => {
    const { cache } = await startCache(env.redis.url, { reconcileMs: 60_000 });
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('sipwarden:{keyspace}:sip:cidrs', '203.0.113.0/24');
    await until(() => cache.decide('keyspace', 'sip', '192.0.2.1').reason === 'no-match', 1000, 'keyspace event');
    expect(cache.decide('keyspace', 'sip', '203.0.113.5').allow).toBe(true);
  });

  it('describes the matched entry with its description from the metadata', async () => {
    await env.admin.writer.write(
      { tenant: 'described', scope: 'sip' },
      { enabled: true, entries: [{ value: '192.0.2.0/24', description: 'Branch office', active: true }] },
      { actor: 't' },
    );
    const { cache } = await startCache(env.redis.url);
    expect(cache.decide('described', 'sip', '192.0.2.9').entry).toEqual({ value: '192.0.2.0/24', description: 'Branch office' });
  });

  it('refuses a malformed hand-made value: the previous list stays enforced, logged and counted', async () => {
    const id = { tenant: 'malformed', scope: 'sip' as const };
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.0/24') }, { actor: 't' });
    const { cache, lines, registry } = await startCache(env.redis.url, { reconcileMs: 60_000 });
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('sipwarden:{malformed}:sip:cidrs', '0.0.0.0/0, 10.0.0.0/33, garbage');
    await until(() => lines().some((l) => l.msg === 'malformed list in store refused'), 1000, 'refusal log');
    const refusal = lines().find((l) => l.msg === 'malformed list in store refused')!;
    expect(refusal).toMatchObject({ tenant: 'malformed', scope: 'sip' });
    expect(String(refusal.error)).toContain('10.0.0.0/33');
    expect(String(refusal.error)).toContain('garbage');
    expect(cache.decide('malformed', 'sip', '203.0.113.1').allow).toBe(false);
    expect(cache.decide('malformed', 'sip', '192.0.2.1').allow).toBe(true);
    expect(await registry.getSingleMetricAsString('sipwarden_list_rejected_total')).toContain('tenant="malformed",scope="sip"} 1');
    await plain.set('sipwarden:{malformed}:sip:enabled', 'sometimes');
    await until(() => lines().filter((l) => l.msg === 'malformed list in store refused').length === 2, 1000, 'second refusal');
    expect(cache.decide('malformed', 'sip', '192.0.2.1').allow).toBe(true);
  });

  it('denies a scope whose only version ever seen is malformed', async () => {
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('sipwarden:{garbage-only}:recordings:cidrs', 'not,a,list');
    const { cache } = await startCache(env.redis.url);
    expect(cache.decide('garbage-only', 'recordings', '192.0.2.1')).toEqual({ allow: false, reason: 'policy-unavailable' });
  });

  it('turns a list off and on with the toggle, and opens the scope when its keys are deleted', async () => {
    const id = { tenant: 'toggle', scope: 'sip' as const };
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.0/24') }, { actor: 't' });
    const { cache } = await startCache(env.redis.url, { reconcileMs: 60_000 });
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    expect(allows(cache, '203.0.113.1', 'toggle')).toBe(false);
    await plain.set('sipwarden:{toggle}:sip:enabled', '0');
    await until(() => allows(cache, '203.0.113.1', 'toggle'), 1000, 'toggle off');
    await plain.set('sipwarden:{toggle}:sip:enabled', '1');
    await until(() => !allows(cache, '203.0.113.1', 'toggle'), 1000, 'toggle on');
    await plain.del('sipwarden:{toggle}:sip:cidrs', 'sipwarden:{toggle}:sip:enabled');
    await until(() => cache.decide('toggle', 'sip', '203.0.113.1').reason === 'scope-disabled', 1000, 'deleted');
  });

  it('loads a 100,000-entry list and enforces it', async () => {
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    const big = Array.from({ length: 100_000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join(',');
    await plain.set('sipwarden:{big}:sip:cidrs', big);
    const { cache } = await startCache(env.redis.url);
    expect(cache.decide('big', 'sip', '10.1.134.159').allow).toBe(true);
    expect(cache.decide('big', 'sip', '10.1.134.160').allow).toBe(false);
  });

  it('keeps prefixes apart', async () => {
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('other:{prefixed}:sip:cidrs', '192.0.2.0/24');
    await plain.set('sipwarden:{prefixed}:sip:cidrs', '203.0.113.0/24');
    const { cache } = await startCache(env.redis.url, { prefix: 'other' });
    expect(cache.decide('prefixed', 'sip', '192.0.2.1').allow).toBe(true);
    expect(cache.decide('prefixed', 'sip', '203.0.113.1').allow).toBe(false);
  });

  it('maps SIP domains to tenants from the domains hash, live', async () => {
    const { cache } = await startCache(env.redis.url, { reconcileMs: 60_000 });
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.hset('sipwarden:domains', 'PBX.Acme.example', 'acme');
    await until(() => cache.tenantForDomain('pbx.acme.example') === 'acme', 1000, 'domain map');
    expect(cache.tenantForDomain('pbx.ACME.example')).toBe('acme');
    expect(cache.tenantForDomain('unknown.example')).toBeUndefined();
  });
});

describe('ListCache without keyspace notifications', () => {
  it('picks up a hand-made SET within the reconciliation period', async () => {
    const redis = await RedisServer.start({ keyspaceEvents: '' });
    cleanup.push(() => redis.stop());
    const { cache } = await startCache(redis.url, { reconcileMs: 300 });
    const plain = redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('sipwarden:{reconciled}:sip:cidrs', '203.0.113.0/24');
    const took = await until(() => cache.decide('reconciled', 'sip', '192.0.2.1').reason === 'no-match', 2000, 'reconciliation');
    expect(took).toBeLessThan(300 + 250);
  });
});

describe('ListCache through Redis outages', () => {
  it('keeps enforcing while Redis is down, and after a restart picks up a change made during the outage', async () => {
    const redis = await RedisServer.start();
    cleanup.push(() => redis.stop());
    const proxy = await TcpProxy.start(redis.port);
    const admin = await redisStore(redis.url, capturingLogger().logger);
    cleanup.push(() => admin.close());
    await admin.writer.write(ACME_SIP, { enabled: true, entries: entries('192.0.2.0/24') }, { actor: 't' });
    const { cache, lines } = await startCache(`redis://127.0.0.1:${proxy.port}`, { reconcileMs: 200 });
    expect(allows(cache, '192.0.2.1')).toBe(true);

    // The edge loses Redis; an admin changes the list meanwhile.
    await proxy.cut();
    await admin.writer.write(ACME_SIP, { enabled: true, entries: entries('203.0.113.0/24') }, { actor: 't' });
    await until(() => lines().some((l) => l.msg === 'list store read failed; enforcing the last-known-good lists'), 3000, 'outage noticed');
    expect(allows(cache, '192.0.2.1')).toBe(true);
    expect(allows(cache, '203.0.113.1')).toBe(false);

    await proxy.restore();
    await until(() => allows(cache, '203.0.113.1'), 10_000, 'resync after reconnect');
    expect(allows(cache, '192.0.2.1')).toBe(false);

    // A hard crash of Redis itself: decisions go on, and a restarted Redis is followed again.
    await redis.kill();
    await new Promise((r) => setTimeout(r, 300));
    expect(allows(cache, '203.0.113.1')).toBe(true);
    expect(allows(cache, '192.0.2.1')).toBe(false);
    await redis.restart();
    const plain = redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('sipwarden:{acme}:sip:cidrs', '198.51.100.0/24');
    await until(() => allows(cache, '198.51.100.1'), 10_000, 'change after restart');
  });

  it('starts from the snapshot when Redis is down, then follows Redis when it returns', async () => {
    const redis = await RedisServer.start();
    cleanup.push(() => redis.stop());
    const dir = mkdtempSync(join(tmpdir(), 'sipwarden-snapshot-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const snapshotPath = join(dir, 'lists.json');
    const admin = await redisStore(redis.url, capturingLogger().logger);
    cleanup.push(() => admin.close());
    await admin.writer.write(
      ACME_SIP,
      { enabled: true, entries: [{ value: '192.0.2.0/24', description: 'HQ', active: true }] },
      { actor: 't' },
    );
    const first = await startCache(redis.url, { snapshotPath });
    await until(async () => (await import('node:fs')).existsSync(snapshotPath), 2000, 'snapshot written');
    await first.cache.stop();

    await redis.kill();
    const { cache } = await startCache(redis.url, { snapshotPath, reconcileMs: 200 });
    expect(cache.ready).toBe(true);
    expect(cache.decide('acme', 'sip', '192.0.2.1')).toEqual({
      allow: true,
      reason: 'matched',
      entry: { value: '192.0.2.0/24', description: 'HQ' },
    });
    expect(allows(cache, '203.0.113.1')).toBe(false);

    await redis.restart();
    const plain = redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('sipwarden:{acme}:sip:cidrs', '203.0.113.0/24');
    await until(() => allows(cache, '203.0.113.1'), 10_000, 'Redis followed again');
  });

  it('fails closed when it starts with neither Redis nor a snapshot', async () => {
    const redis = await RedisServer.start();
    await redis.stop();
    const { cache, lines } = await startCache(redis.url, { reconcileMs: 200 });
    expect(cache.ready).toBe(false);
    for (const scope of ['sip', 'webrtc', 'admin', 'recordings'] as const) {
      expect(cache.decide('acme', scope, '192.0.2.1')).toEqual({ allow: false, reason: 'policy-unavailable' });
    }
    expect(lines().some((l) => String(l.msg).includes('denying everything'))).toBe(true);
  });
});
