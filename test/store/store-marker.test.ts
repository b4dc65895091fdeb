/**
 * The store marker against a real redis-server: written with the lists,
 * adopted by an edge for hand-pushed lists, and how an edge tells a Redis
 * that came back empty (restart without persistence, FLUSHALL) from admins
 * deleting a list.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseListFile } from '../../src/store/list-file.js';
import { RedisStoreMarker } from '../../src/store/redis-marker.js';
import { markerSeen, newMarker } from '../../src/store/store-marker.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { ACME_SIP, entries, newCache, redisStore } from './fixtures.js';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const LOST_LOG = 'the list store lost the data this edge followed';

async function redis(options: Parameters<typeof RedisServer.start>[0] = {}) {
  const server = await RedisServer.start(options);
  const plain = server.client();
  plain.on('error', () => undefined);
  cleanup.push(() => server.stop(), () => plain.disconnect());
  return { server, plain };
}

function snapshotFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-marker-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'lists.json');
}

async function edge(url: string, options: { reconcileMs?: number; snapshotPath?: string } = {}) {
  const store = await redisStore(url, capturingLogger().logger);
  const made = newCache(store.source, { reconcileMs: options.reconcileMs ?? 100, ...(options.snapshotPath !== undefined && { snapshotPath: options.snapshotPath }) });
  const started = Date.now();
  await made.cache.start();
  const startMs = Date.now() - started;
  cleanup.push(() => store.close(), () => made.cache.stop());
  const lossLogs = () => made.lines().filter((l) => String(l.msg).startsWith(LOST_LOG));
  const metric = async (name: string) => Number(/ (\d+)$/m.exec(await made.registry.getSingleMetricAsString(name))?.[1]);
  return { ...made, store, startMs, lossLogs, metric };
}

/** A Redis with acme/sip written through sipwarden by alice, and the admin store that wrote it. */
async function writtenStore() {
  const started = await redis();
  const admin = await redisStore(started.server.url, capturingLogger().logger);
  cleanup.push(() => admin.close());
  await admin.writer.write(ACME_SIP, { enabled: true, entries: entries('192.0.2.0/24') }, { actor: 'alice' });
  return { ...started, admin };
}

const decide = (cache: { decide: (t: string, s: 'sip', a: string) => { allow: boolean } }, address: string) => cache.decide('acme', 'sip', address).allow;

describe('store marker', () => {
  it('is created, kind auto, by the first write through sipwarden, and never replaced by later ones', async () => {
    const { plain, admin } = await writtenStore();
    const first = markerSeen(await plain.get('sipwarden:store'));
    expect(first).toMatchObject({ state: 'present', marker: { kind: 'auto', createdBy: 'alice' } });
    await admin.writer.write(ACME_SIP, { enabled: true, entries: entries('198.51.100.0/24') }, { actor: 'bob' });
    expect(markerSeen(await plain.get('sipwarden:store'))).toEqual(first);
  });

  it('is adopted by an edge that finds hand-pushed lists and no marker, and an existing one is kept', async () => {
    const { server, plain } = await redis();
    await plain.set('sipwarden:{acme}:sip:cidrs', '192.0.2.0/24');
    const { cache, lines } = await edge(server.url, { snapshotPath: snapshotFile() });
    await until(async () => (await plain.get('sipwarden:store')) !== null, 2000, 'adopted');
    const adopted = markerSeen(await plain.get('sipwarden:store'));
    expect(adopted).toMatchObject({ state: 'present', marker: { kind: 'auto', createdBy: expect.stringMatching(/^edge /) } });
    expect(lines().some((l) => String(l.msg).startsWith('store marked'))).toBe(true);
    expect(decide(cache, '192.0.2.1')).toBe(true);

    const marker = new RedisStoreMarker(plain, 'sipwarden:store');
    expect(await marker.create(newMarker('auto', 'someone else'))).toEqual({ created: false, current: adopted });
  });

  it('is not written by an edge whose Redis user may not write: it warns and enforces the lists', async () => {
    const { server, plain } = await redis();
    await plain.set('sipwarden:{acme}:sip:cidrs', '192.0.2.0/24');
    await plain.acl('SETUSER', 'reader', 'on', '>secret', '~*', '&*', '+@all', '-set');
    const { cache, lines } = await edge(`redis://reader:secret@127.0.0.1:${server.port}`);
    await until(() => lines().some((l) => String(l.msg).startsWith('could not write the store marker')), 2000, 'warning');
    expect(await plain.get('sipwarden:store')).toBeNull();
    expect(decide(cache, '192.0.2.1')).toBe(true);
    expect(decide(cache, '203.0.113.1')).toBe(false);
  });
});

describe('an edge whose Redis lost its data', () => {
  async function followedStore(snapshotPath = snapshotFile()) {
    const { server, plain, admin } = await writtenStore();
    const running = await edge(server.url, { snapshotPath });
    await until(() => {
      const file = parseListFile(readFileSyncOr(snapshotPath));
      return file.ok && file.content.storeMarker !== undefined;
    }, 2000, 'snapshot with the marker');
    return { server, plain, admin, snapshotPath, ...running };
  }

  it('keeps enforcing its lists when Redis restarts empty, says so once, and follows again when the backup is restored', async () => {
    const { server, plain, admin, cache, lossLogs, metric, snapshotPath } = await followedStore();
    const marker = await plain.dumpBuffer('sipwarden:store');
    const list = await plain.dumpBuffer('sipwarden:{acme}:sip:cidrs');
    const snapshotBefore = readFileSync(snapshotPath, 'utf8');
    const snapshotMtime = statSync(snapshotPath).mtimeMs;

    await server.restartEmpty();
    await until(() => cache.problem === 'store-data-lost', 3000, 'loss noticed');
    expect(decide(cache, '203.0.113.1')).toBe(false);
    expect(decide(cache, '192.0.2.1')).toBe(true);
    expect(await metric('sipwarden_store_data_loss')).toBe(1);
    // An admin writing meanwhile marks the emptied store anew (kind auto): still not the store the edge followed.
    // The admin's own connection comes back on its own schedule; until then its writes are refused, never queued.
    const write = () => admin.writer.write({ tenant: 'other', scope: 'sip' }, { enabled: true, entries: entries('198.51.100.0/24') }, { actor: 'bob' });
    await until(
      () =>
        write().then(
          () => true,
          (error: unknown) => {
            if (/Stream isn't writeable/.test(String(error))) return false;
            throw error;
          },
        ),
      3000,
      'the admin connection back',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(cache.problem).toBe('store-data-lost');
    expect(decide(cache, '203.0.113.1')).toBe(false);
    expect(lossLogs()).toHaveLength(1);
    expect(lossLogs()[0]).toMatchObject({ level: 50 });
    expect(readFileSync(snapshotPath, 'utf8')).toBe(snapshotBefore);
    expect(statSync(snapshotPath).mtimeMs).toBe(snapshotMtime);

    // The backup restored, key by key and the marker last: the edge follows the store as soon as the marker is back.
    await plain.restore('sipwarden:{acme}:sip:cidrs', 0, list!, 'REPLACE');
    await plain.restore('sipwarden:store', 0, marker!, 'REPLACE');
    await until(() => cache.problem === undefined, 3000, 'store followed again');
    expect(await metric('sipwarden_store_data_loss')).toBe(0);
    expect(await metric('sipwarden_store_data_loss_total')).toBe(1);
    expect(decide(cache, '192.0.2.1')).toBe(true);
    await until(() => cache.decide('other', 'sip', '203.0.113.1').allow === false, 2000, 'the list written meanwhile');
  });

  it('notices FLUSHALL, and follows the store as it is once an admin re-initialises it', async () => {
    const { plain, cache, metric } = await followedStore();
    await plain.flushall();
    await until(() => cache.problem === 'store-data-lost', 3000, 'loss noticed');
    expect(decide(cache, '203.0.113.1')).toBe(false);
    await new RedisStoreMarker(plain, 'sipwarden:store').replace(newMarker('init', 'alice'));
    await until(() => cache.problem === undefined, 3000, 're-initialised');
    // The store as it is now: acme/sip is no longer configured, so it is open, by design.
    expect(cache.decide('acme', 'sip', '203.0.113.1')).toEqual({ allow: true, reason: 'scope-disabled' });
    expect(await metric('sipwarden_store_data_loss')).toBe(0);
  });

  it('takes a marker overwritten with something else, or replaced by another edge\'s adoption, for a loss', async () => {
    const { plain, cache } = await followedStore();
    await plain.set('sipwarden:store', 'garbage');
    await until(() => cache.problem === 'store-data-lost', 3000, 'garbage marker');
    await plain.set('sipwarden:store', JSON.stringify(newMarker('auto', 'edge elsewhere')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cache.problem).toBe('store-data-lost');
  });

  it('still applies a list deleted on purpose while the marker stays', async () => {
    const { plain, cache } = await followedStore();
    await plain.del('sipwarden:{acme}:sip:cidrs', 'sipwarden:{acme}:sip:enabled', 'sipwarden:{acme}:sip:entries', 'sipwarden:{acme}:sip:rev');
    await until(() => cache.decide('acme', 'sip', '203.0.113.1').reason === 'scope-disabled', 2000, 'list deleted');
    expect(cache.problem).toBeUndefined();
  });

  it('enforces its snapshot when restarted on an emptied store, and leaves the snapshot alone', async () => {
    const snapshotPath = snapshotFile();
    const { server, cache } = await followedStore(snapshotPath);
    await cache.stop();
    const snapshotBefore = readFileSync(snapshotPath, 'utf8');
    await server.restartEmpty();
    const restarted = await edge(server.url, { snapshotPath });
    expect(restarted.cache.ready).toBe(true);
    expect(restarted.cache.problem).toBe('store-data-lost');
    expect(decide(restarted.cache, '192.0.2.1')).toBe(true);
    expect(decide(restarted.cache, '203.0.113.1')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(readFileSync(snapshotPath, 'utf8')).toBe(snapshotBefore);
  });
});

describe('an edge restarted while Redis is down', () => {
  it('enforces its snapshot within a second, and follows Redis when it is back', async () => {
    const snapshotPath = snapshotFile();
    const { server, plain } = await redis();
    await plain.set('sipwarden:{acme}:sip:cidrs', '192.0.2.0/24');
    const first = await edge(server.url, { snapshotPath });
    await until(() => parseListFile(readFileSyncOr(snapshotPath)).ok, 2000, 'snapshot');
    await first.cache.stop();
    await server.kill();

    const restarted = await edge(server.url, { snapshotPath });
    process.stdout.write(`start to enforcing from the snapshot, Redis down: ${restarted.startMs} ms\n`);
    expect(restarted.startMs).toBeLessThan(1000);
    expect(restarted.cache.ready).toBe(true);
    expect(decide(restarted.cache, '192.0.2.1')).toBe(true);
    expect(decide(restarted.cache, '203.0.113.1')).toBe(false);

    await server.restart();
    await plain.set('sipwarden:{acme}:sip:cidrs', '203.0.113.0/24');
    await until(() => decide(restarted.cache, '203.0.113.1'), 10_000, 'Redis followed again');
    expect(restarted.cache.problem).toBeUndefined();
  });
});

describe('snapshot file', () => {
  it('reads snapshots without a marker as before, and refuses a marker that is not an id', () => {
    const lists = [{ tenant: 'acme', scope: 'sip', cidrs: '192.0.2.0/24' }];
    const old = parseListFile(JSON.stringify({ lists }));
    expect(old.ok && old.content.storeMarker).toBeUndefined();
    const marked = parseListFile(JSON.stringify({ storeMarker: 'abc', lists }));
    expect(marked.ok && marked.content.storeMarker).toBe('abc');
    expect(parseListFile(JSON.stringify({ storeMarker: 7, lists }))).toEqual({ ok: false, error: 'storeMarker: must be a marker id' });
  });
});

function readFileSyncOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
