/**
 * The same store code on Redis Sentinel and Redis Cluster, real servers both.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoreConfig } from '../../src/config/store-config.js';
import { openAdminStore } from '../../src/admin/open-admin.js';
import { KeySchema } from '../../src/store/keys.js';
import { fingerprintOf } from '../../src/store/raw-list.js';
import { connectRedis, createRedisClient } from '../../src/store/redis-connection.js';
import { RedisListSource } from '../../src/store/redis-source.js';
import { startCache } from '../../src/store/start-cache.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisSentinel } from '../support/redis-sentinel.js';
import { RedisServer } from '../support/redis-server.js';
import { Registry } from 'prom-client';

const stops: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

function redisConfig(url: string, topology: { sentinels?: string[]; clusterNodes?: string[] }): StoreConfig & { kind: 'redis' } {
  return {
    kind: 'redis',
    prefix: 'sipwarden',
    // Far beyond the test's waits: changes must arrive by notification.
    reconcileMs: 60_000,
    connection: { url, commandTimeoutMs: 2000, sentinels: topology.sentinels ?? [], sentinelName: 'mymaster', clusterNodes: topology.clusterNodes ?? [] },
  };
}

/** Writes through the admin store, then waits for an edge cache to enforce it. */
async function roundTrip(config: StoreConfig & { kind: 'redis' }, tenant: string): Promise<void> {
  const { logger } = capturingLogger();
  const store = await openAdminStore(config, logger, 5000);
  expect(store).toBeDefined();
  stops.push(() => store!.close());
  const running = await startCache(config, logger, new Registry());
  stops.push(() => running.close());
  const id = { tenant, scope: 'sip' as const };
  const actor = { name: 'topology-test' };
  expect((await store!.admin.addEntry(actor, id, { value: '192.0.2.0/24', active: true })).ok).toBe(true);
  expect((await store!.admin.setEnabled(actor, id, true)).ok).toBe(true);
  await until(() => running.cache.decide(tenant, 'sip', '192.0.2.7').reason === 'matched', 3000, `${tenant} enforced`);
  expect(running.cache.decide(tenant, 'sip', '198.51.100.1').allow).toBe(false);
  expect((await store!.admin.addEntry(actor, id, { value: '198.51.100.0/24', active: true })).ok).toBe(true);
  await until(() => running.cache.decide(tenant, 'sip', '198.51.100.1').allow, 3000, `${tenant} change followed`);
}

describe('Redis topologies', () => {
  it('works through Redis Sentinel', async () => {
    const master = await RedisServer.start();
    stops.push(() => master.stop());
    const sentinel = await RedisSentinel.start(master.port);
    stops.push(() => sentinel.stop());
    await roundTrip(redisConfig('redis://ignored-host:1', { sentinels: [`127.0.0.1:${sentinel.port}`] }), 'sentinel-tenant');
  });

  it('works on a three-master Redis Cluster, tenants spread over slots', async () => {
    const nodes = await Promise.all(
      [0, 1, 2].map(() => RedisServer.start({ args: ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'] })),
    );
    for (const node of nodes) stops.push(() => node.stop());
    execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { stdio: 'ignore' });
    const probe = nodes[0]!.client();
    await until(async () => ((await probe.cluster('INFO')) as string).includes('cluster_state:ok'), 15_000, 'cluster ok');
    probe.disconnect();
    const config = redisConfig('redis://ignored-host:1', { clusterNodes: nodes.map((n) => `127.0.0.1:${n.port}`) });
    const tenants = ['cluster-a', 'cluster-b', 'cluster-c'];
    for (const tenant of tenants) await roundTrip(config, tenant);
    // The reconciliation's batched read: a script's keys must share a slot, so one call per tenant.
    const client = createRedisClient(config.connection);
    stops.push(() => client.disconnect());
    expect(await connectRedis(client, 5000)).toBe(true);
    const source = new RedisListSource(client, new KeySchema(), capturingLogger().logger);
    const { fingerprints } = await source.fingerprints();
    expect([...fingerprints.keys()].sort()).toEqual(tenants.map((tenant) => `${tenant}\u0000sip`));
    for (const tenant of tenants) {
      const id = { tenant, scope: 'sip' as const };
      expect(fingerprints.get(`${tenant}\u0000sip`)).toBe(fingerprintOf(await source.read(id)));
    }
  });
});
