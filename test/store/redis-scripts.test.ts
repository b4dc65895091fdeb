/**
 * sipwarden's Lua scripts on a real redis-server: sent once per connection
 * and then by SHA-1, sent again when Redis forgot them, computing what
 * fingerprintOf computes, and a reconciliation whose script calls do not grow
 * with the number of lists. Commands are counted with INFO commandstats.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ListId } from '../../src/store/keys.js';
import { fingerprintOf } from '../../src/store/raw-list.js';
import { REDIS_SCRIPTS } from '../../src/store/redis-scripts.js';
import { FINGERPRINT_BATCH } from '../../src/store/redis-source.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { countCommands } from './command-stats.js';
import { ACME_SIP, type RedisStore, entries, newCache, redisStore } from './fixtures.js';

const logger = capturingLogger().logger;
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function openStore(url: string): Promise<RedisStore> {
  const store = await redisStore(url, logger);
  cleanup.push(() => store.close());
  return store;
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
/** The scripts a list's write and read run (the denied-source record has its own, tested with it). */
const SHAS = [REDIS_SCRIPTS.sipwardenFingerprints, REDIS_SCRIPTS.sipwardenCommit].map((script) => sha1(script.lua));

async function writeLists(store: RedisStore, count: number): Promise<ListId[]> {
  const ids = Array.from({ length: count }, (_, i): ListId => ({ tenant: `t${i >> 1}.example`, scope: i % 2 === 0 ? 'sip' : 'webrtc' }));
  for (let first = 0; first < count; first += 200) {
    const results = await Promise.all(
      ids.slice(first, first + 200).map((id, k) => store.writer.write(id, { enabled: true, entries: entries(`10.0.${(first + k) >> 8}.${(first + k) & 255}`) }, { actor: 't' })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
  }
  return ids;
}

describe('the script files', () => {
  const dir = new URL('../../src/store/scripts/', import.meta.url);

  it('name their KEYS and ARGV in a header comment, and every one is used', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.lua'));
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      const header = text.slice(0, text.search(/^[^-\n]/m));
      expect(header, file).toMatch(/^-- /);
      const isLibrary = !/^-- (KEYS|ARGV)/m.test(header);
      if (isLibrary) expect(header, file).toMatch(/not a script of its own/);
      else expect(header, file).toMatch(/^-- ARGV/m);
      // Every file is part of a script Redis runs.
      expect(Object.values(REDIS_SCRIPTS).some((s) => s.lua.includes(text)), file).toBe(true);
    }
    expect(files.length).toBeGreaterThanOrEqual(3);
  });
});

describe('Lua scripts on Redis', () => {
  let redis: RedisServer;
  let stats: Redis;

  beforeAll(async () => {
    redis = await RedisServer.start();
    stats = redis.client();
  });
  afterAll(async () => {
    stats.disconnect();
    await redis.stop();
  });

  it('sends a script once per connection, then only its SHA-1 (EVALSHA)', async () => {
    await stats.script('FLUSH');
    const store = await openStore(redis.url);
    const first = await countCommands(stats, async () => {
      await store.writer.write(ACME_SIP, { enabled: true, entries: entries('192.0.2.1') }, { actor: 't' });
      return store.source.fingerprint(ACME_SIP);
    });
    expect(first.counts.calls.get('eval')).toBe(2);
    expect(await stats.script('EXISTS', ...SHAS)).toEqual([1, 1]);
    const repeated = await countCommands(stats, async () => {
      for (let i = 0; i < 5; i++) {
        await store.writer.write(ACME_SIP, { enabled: true, entries: entries('192.0.2.1', `192.0.2.${10 + i}`) }, { actor: 't' });
        await store.source.fingerprint(ACME_SIP);
      }
    });
    expect(repeated.counts.calls.get('eval')).toBeUndefined();
    expect(repeated.counts.calls.get('evalsha')).toBe(10);
    // A second connection sends the text once too, though Redis has the script: ioredis cannot know.
    const other = await openStore(redis.url);
    const second = await countCommands(stats, async () => {
      await other.source.fingerprint(ACME_SIP);
      await other.source.fingerprint(ACME_SIP);
    });
    expect(Object.fromEntries(second.counts.calls)).toMatchObject({ eval: 1, evalsha: 1 });
  });

  it('sends a script again when Redis answers NOSCRIPT (SCRIPT FLUSH), and the call succeeds', async () => {
    const store = await openStore(redis.url);
    const id = { tenant: 'noscript.example', scope: 'sip' as const };
    await store.writer.write(id, { enabled: true, entries: entries('192.0.2.1') }, { actor: 't' });
    const before = await store.source.fingerprint(id);
    await stats.script('FLUSH');
    expect(await stats.script('EXISTS', ...SHAS)).toEqual([0, 0]);
    const counted = await countCommands(stats, async () => ({
      fingerprint: await store.source.fingerprint(id),
      written: await store.writer.write(id, { enabled: true, entries: entries('192.0.2.1', '192.0.2.2') }, { actor: 't' }),
    }));
    expect(counted.result.fingerprint).toBe(before);
    expect(counted.result.written).toMatchObject({ ok: true, rev: 2 });
    // Each script: its EVALSHA refused with NOSCRIPT, then one EVAL with the text.
    expect(Object.fromEntries(counted.counts.calls)).toMatchObject({ evalsha: 2, eval: 2 });
    expect(await stats.script('EXISTS', ...SHAS)).toEqual([1, 1]);
  });

  it('computes the fingerprints fingerprintOf computes from the values read, missing keys included', async () => {
    const store = await openStore(redis.url);
    const plain = redis.client();
    cleanup.push(() => plain.disconnect());
    const written = { tenant: 'prints.example', scope: 'sip' as const };
    await store.writer.write(written, { enabled: false, entries: [{ value: '192.0.2.0/24', description: 'HQ', active: true }, { value: '198.51.100.1', active: false }] }, { actor: 't' });
    // By hand: a string alone, a toggle alone, metadata without a string.
    await plain.set('sipwarden:{prints.example}:webrtc:cidrs', '203.0.113.0/24');
    await plain.set('sipwarden:{prints-b.example}:sip:enabled', '0');
    await plain.hset('sipwarden:{prints-c.example}:admin:entries', '192.0.2.9', '{"active":false}');
    // Countries: a set beside a list, a country toggle alone.
    await plain.set('sipwarden:{prints.example}:sip:countries', 'DE,FR');
    await plain.set('sipwarden:{prints-d.example}:webrtc:countries:enabled', '1');
    const { fingerprints } = await store.source.fingerprints();
    const ours = [...fingerprints.keys()].filter((key) => key.startsWith('prints'));
    expect(ours).toHaveLength(5);
    for (const key of ours) {
      const [tenant, scope] = key.split('\u0000') as [string, ListId['scope']];
      const raw = await store.source.read({ tenant, scope });
      expect(fingerprints.get(key), key).toBe(fingerprintOf(raw));
      expect(await store.source.fingerprint({ tenant, scope }), key).toBe(fingerprintOf(raw));
    }
  });

  it("costs one reconciliation the same commands for 3 lists as for a full batch, but the scripts' own reads, and a script call a batch beyond", async () => {
    const store = await openStore(redis.url);
    const counts = [];
    for (const lists of [3, FINGERPRINT_BATCH, 2 * FINGERPRINT_BATCH + 1]) {
      await stats.flushall();
      await writeLists(store, lists);
      // One cache at a time: a stopped one hears nothing of the next round's writes.
      const { cache } = newCache(store.source, { reconcileMs: 3_600_000 });
      await cache.start();
      await cache.reconcile();
      const keys = await stats.dbsize();
      const { counts: calls } = await countCommands(stats, () => cache.reconcile());
      const enforced = cache.decide('t0.example', 'sip', '10.0.0.0').allow;
      await cache.stop();
      const byName = Object.fromEntries(calls.calls);
      // Inside the script: five GETs (three of the list, two of its countries) and an HLEN a list; the edge's own GETs are the marker's.
      expect(byName).toEqual({
        scan: expect.any(Number),
        evalsha: Math.ceil(lists / FINGERPRINT_BATCH),
        get: 5 * lists + 2,
        hlen: lists,
        multi: 1,
        hgetall: 1,
        exec: 1,
      });
      expect(byName.scan).toBeLessThanOrEqual(1 + Math.ceil(keys / 1000));
      expect(enforced).toBe(true);
      counts.push(byName);
    }
    const fixed = (byName: Record<string, number>) => ({ ...byName, scan: 0, get: byName.get! - 5 * byName.hlen!, hlen: 0 });
    expect(fixed(counts[0]!)).toEqual(fixed(counts[1]!));
  });

  it('works on a client that outlives a Redis restart, empty or not', async () => {
    const own = await RedisServer.start();
    cleanup.push(() => own.stop());
    const store = await openStore(own.url);
    await store.writer.write(ACME_SIP, { enabled: true, entries: entries('192.0.2.1') }, { actor: 't' });
    const ownStats = own.client();
    ownStats.on('error', () => undefined);
    cleanup.push(() => ownStats.disconnect());
    const ready = () => until(() => store.client.status === 'ready', 10_000, 'client reconnected');

    await own.kill();
    await own.restart();
    await ready();
    expect(await ownStats.script('EXISTS', ...SHAS)).toEqual([0, 0]);
    expect(await store.writer.write(ACME_SIP, { enabled: true, entries: entries('192.0.2.1', '192.0.2.2') }, { actor: 't' })).toMatchObject({
      ok: true,
      rev: 2,
    });
    expect(await store.source.fingerprint(ACME_SIP)).toBe(fingerprintOf(await store.source.read(ACME_SIP)));

    await own.restartEmpty();
    await ready();
    expect(await ownStats.dbsize()).toBe(0);
    expect(await store.writer.write(ACME_SIP, { enabled: true, entries: entries('192.0.2.3') }, { actor: 't' })).toMatchObject({ ok: true, rev: 1 });
    expect((await store.source.fingerprints()).fingerprints.get('acme\u0000sip')).toBe(fingerprintOf(await store.source.read(ACME_SIP)));
    expect(await ownStats.script('EXISTS', ...SHAS)).toEqual([1, 1]);
  });
});
