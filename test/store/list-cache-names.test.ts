/**
 * DNS names in the live cache (every cache here loads every list the earlier
 * tests wrote, so each test has names of its own), against a real redis-server and a real DNS
 * server (dnsmasq on loopback, records the test sets): a listed name allows
 * what it resolves to now, follows its record within the TTL, survives an
 * outage for the grace period and no longer, and is resolved once however
 * many lists name it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NameResolverSettings } from '../../src/dns/index.js';
import type { ListCache } from '../../src/store/list-cache.js';
import { Dnsmasq, type Records } from '../support/dnsmasq.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { type RedisStore, newCache, redisStore } from './fixtures.js';

/** dnsmasq's TTL, in seconds: the refresh interval, since it lies inside the clamps below. */
const TTL = 1;
const GRACE_MS = 1500;
const DNS: Omit<NameResolverSettings, 'servers'> = { minTtlMs: 200, maxTtlMs: 5000, graceMs: GRACE_MS, maxAddresses: 32, timeoutMs: 200 };

const RECORDS: Records = {
  'agent7.dyn.test': ['127.0.0.2'],
  'dual.dyn.test': ['127.0.0.4', '::4'],
  'shared.dyn.test': ['127.0.0.5'],
  'many.dyn.test': Array.from({ length: 40 }, (_, i) => `10.9.0.${i + 1}`),
  'parked.dyn.test': ['127.0.0.6'],
  'dropped.dyn.test': ['127.0.0.10'],
};

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

let redis: RedisServer;
let dns: Dnsmasq;
let admin: RedisStore;

beforeAll(async () => {
  [redis, dns] = await Promise.all([RedisServer.start(), Dnsmasq.start(RECORDS, TTL)]);
  admin = await redisStore(redis.url, capturingLogger().logger);
});
afterAll(async () => {
  admin?.close();
  await Promise.all([redis?.stop(), dns?.close()]);
});

async function startCache(server: Dnsmasq = dns) {
  const store = await redisStore(redis.url, capturingLogger().logger);
  const made = newCache(store.source, { reconcileMs: 60_000, dns: { ...DNS, servers: [server.server] } });
  await made.cache.start();
  cleanup.push(() => store.close(), () => made.cache.stop());
  return made;
}

const allows = (cache: ListCache, tenant: string, source: string) => cache.decide(tenant, 'sip', source).allow;

describe('ListCache with DNS names', () => {
  it('allows the address a name listed beside a block resolves to, pushed with one plain SET', async () => {
    await admin.client.set('sipwarden:{anna}:sip:cidrs', '203.0.113.0/24, agent7.dyn.test');
    const { cache } = await startCache();
    expect(allows(cache, 'anna', '203.0.113.9')).toBe(true);
    await until(() => allows(cache, 'anna', '127.0.0.2'), 3000, 'the name to resolve');
    expect(cache.decide('anna', 'sip', '127.0.0.2')).toEqual({
      allow: true,
      reason: 'matched',
      entry: { value: 'agent7.dyn.test', resolved: { name: 'agent7.dyn.test', address: '127.0.0.2' } },
    });
    expect(cache.decide('anna', 'sip', '127.0.0.9')).toEqual({ allow: false, reason: 'no-match' });
    expect(cache.nameStatus('agent7.dyn.test')).toMatchObject({ state: 'resolved', addresses: ['127.0.0.2'] });
    expect(cache.names().map((n) => n.name)).toEqual(['agent7.dyn.test']);
  });

  it('gives a name its description and leaves an inactive name unresolved', async () => {
    const id = { tenant: 'described', scope: 'sip' as const };
    const written = await admin.writer.write(
      id,
      {
        enabled: true,
        entries: [
          { value: 'Agent7.Dyn.Test', description: "Anna's home office", active: true },
          { value: 'parked.dyn.test', description: 'on leave', active: false },
        ],
      },
      { actor: 't' },
    );
    expect(written.ok).toBe(true);
    const { cache } = await startCache();
    await cache.namesSettled();
    expect(cache.decide('described', 'sip', '127.0.0.2').entry).toEqual({
      value: 'agent7.dyn.test',
      description: "Anna's home office",
      resolved: { name: 'agent7.dyn.test', address: '127.0.0.2' },
    });
    expect(allows(cache, 'described', '127.0.0.6')).toBe(false);
    expect(cache.nameStatus('parked.dyn.test')).toBeUndefined();
    expect(dns.queries('parked.dyn.test')).toBe(0);
  });

  it('follows the record within its TTL when it moves', async () => {
    const records = { ...RECORDS, 'moving.dyn.test': ['127.0.0.7'] };
    await dns.setRecords(records);
    await admin.client.set('sipwarden:{moving}:sip:cidrs', 'moving.dyn.test');
    const { cache, lines } = await startCache();
    await until(() => allows(cache, 'moving', '127.0.0.7'), 3000, 'the first resolution');
    await dns.setRecords({ ...records, 'moving.dyn.test': ['127.0.0.8'] });
    const took = await until(() => allows(cache, 'moving', '127.0.0.8'), 5000, 'the new address');
    expect(allows(cache, 'moving', '127.0.0.7')).toBe(false);
    // The cache asks again when the TTL runs out: at most TTL after the change, plus the query.
    expect(took).toBeLessThan(TTL * 1000 + 500);
    expect(lines().find((l) => l.msg === 'DNS name resolved to new addresses' && String(l.addresses) === '127.0.0.8')).toMatchObject({
      name: 'moving.dyn.test',
      previous: ['127.0.0.7'],
    });
  });

  it('keeps the last addresses while the DNS server is down for the grace period, then drops them, and recovers', async () => {
    const own = await Dnsmasq.start({ 'outage.dyn.test': ['127.0.0.2'] }, TTL);
    cleanup.push(() => own.close());
    await admin.client.set('sipwarden:{outage}:sip:cidrs', 'outage.dyn.test');
    const { cache, lines, registry } = await startCache(own);
    await until(() => allows(cache, 'outage', '127.0.0.2'), 3000, 'the first resolution');
    await own.stop();
    await until(() => cache.nameStatus('outage.dyn.test')?.state === 'grace', 3000, 'the failure');
    const { failingSince, graceUntil } = cache.nameStatus('outage.dyn.test')!;
    expect(graceUntil).toBe(failingSince! + GRACE_MS);
    expect(allows(cache, 'outage', '127.0.0.2')).toBe(true);
    expect(await registry.getSingleMetricAsString('sipwarden_dns_name_grace_seconds')).toContain('{name="outage.dyn.test"}');
    await until(() => !allows(cache, 'outage', '127.0.0.2'), GRACE_MS + 1000, 'the drop');
    expect(Date.now()).toBeGreaterThanOrEqual(graceUntil!);
    expect(Date.now() - graceUntil!).toBeLessThan(300);
    expect(cache.nameStatus('outage.dyn.test')).toMatchObject({ state: 'failed', addresses: [] });
    expect(lines().filter((l) => String(l.msg).startsWith('DNS name failed to resolve past the grace period'))).toHaveLength(1);
    expect(await registry.getSingleMetricAsString('sipwarden_dns_names_dropped_total')).toMatch(/ 1$/m);
    expect(await registry.getSingleMetricAsString('sipwarden_dns_resolutions_total')).toMatch(/outcome="(unreachable|timeout)"\} [1-9]/);
    await own.restart();
    await until(() => allows(cache, 'outage', '127.0.0.2'), 3000, 'the recovery');
    expect(cache.nameStatus('outage.dyn.test')?.state).toBe('resolved');
  });

  it('lets a name without a record (NXDOMAIN) allow nothing, and says so', async () => {
    await admin.client.set('sipwarden:{nx}:sip:cidrs', 'nobody.dyn.test, agent7.dyn.test');
    const { cache, lines, registry } = await startCache();
    await cache.namesSettled();
    expect(cache.nameStatus('nobody.dyn.test')).toMatchObject({ state: 'failed', addresses: [], failure: 'nxdomain' });
    expect(allows(cache, 'nx', '127.0.0.2')).toBe(true);
    expect(cache.decide('nx', 'sip', '127.0.0.3')).toEqual({ allow: false, reason: 'no-match' });
    expect(lines().find((l) => l.name === 'nobody.dyn.test')).toMatchObject({ msg: 'DNS name does not resolve: it allows nothing until it does', failure: 'nxdomain' });
    expect(await registry.getSingleMetricAsString('sipwarden_dns_resolutions_total')).toContain('{type="A",outcome="nxdomain"}');
  });

  it('allows both the A and the AAAA addresses of a name', async () => {
    await admin.client.set('sipwarden:{dual}:sip:cidrs', 'dual.dyn.test');
    const { cache } = await startCache();
    await cache.namesSettled();
    expect(cache.nameStatus('dual.dyn.test')?.addresses).toEqual(['127.0.0.4', '::4']);
    expect(cache.decide('dual', 'sip', '::4').entry?.resolved).toEqual({ name: 'dual.dyn.test', address: '::4' });
    expect(cache.decide('dual', 'sip', '::ffff:127.0.0.4').entry?.resolved).toEqual({ name: 'dual.dyn.test', address: '127.0.0.4' });
    expect(allows(cache, 'dual', '::5')).toBe(false);
  });

  it('resolves a name two tenants list once, and refreshes it once per TTL', async () => {
    const before = { a: dns.queries('shared.dyn.test', 'A'), aaaa: dns.queries('shared.dyn.test', 'AAAA') };
    await admin.client.set('sipwarden:{tenant-one}:sip:cidrs', 'shared.dyn.test');
    await admin.client.set('sipwarden:{tenant-two}:webrtc:cidrs', '192.0.2.0/24,shared.dyn.test');
    const { cache } = await startCache();
    await cache.namesSettled();
    expect(allows(cache, 'tenant-one', '127.0.0.5')).toBe(true);
    expect(cache.decide('tenant-two', 'webrtc', '127.0.0.5').allow).toBe(true);
    expect(dns.queries('shared.dyn.test', 'A') - before.a).toBe(1);
    expect(dns.queries('shared.dyn.test', 'AAAA') - before.aaaa).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, TTL * 1000 + 300));
    expect(dns.queries('shared.dyn.test', 'A') - before.a).toBe(2);
  });

  it('takes at most 32 addresses of a name, and logs the rest', async () => {
    await admin.client.set('sipwarden:{many}:sip:cidrs', 'many.dyn.test');
    const { cache, lines } = await startCache();
    await cache.namesSettled();
    const status = cache.nameStatus('many.dyn.test')!;
    expect(status.addresses).toHaveLength(32);
    expect(status.cut).toEqual(Array.from({ length: 8 }, (_, i) => `10.9.0.${i + 33}`));
    expect(allows(cache, 'many', '10.9.0.32')).toBe(true);
    expect(allows(cache, 'many', '10.9.0.33')).toBe(false);
    expect(lines().find((l) => l.name === 'many.dyn.test' && l.cap === 32)).toMatchObject({ resolved: 40, kept: 32 });
  });

  it('stops resolving a name no list names any more', async () => {
    await admin.client.set('sipwarden:{dropping}:sip:cidrs', 'dropped.dyn.test');
    const { cache } = await startCache();
    await cache.namesSettled();
    await admin.client.set('sipwarden:{dropping}:sip:cidrs', '192.0.2.1');
    await until(() => allows(cache, 'dropping', '192.0.2.1'), 3000, 'the list change');
    await until(() => cache.nameStatus('dropped.dyn.test') === undefined, 3000, 'the name to be forgotten');
    const asked = dns.queries('dropped.dyn.test');
    await new Promise((resolve) => setTimeout(resolve, TTL * 1000 + 300));
    expect(dns.queries('dropped.dyn.test')).toBe(asked);
    expect(allows(cache, 'dropping', '127.0.0.10')).toBe(false);
  });
});
