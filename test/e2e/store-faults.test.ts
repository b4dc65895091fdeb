/**
 * Issue 9, cases 3 and 4, end to end: the main job as `npm start` runs it, a
 * real drachtio-server, sipp clients from 127.0.0.2 (listed) and 127.0.0.3
 * (not listed), a sipp UAS as the PBX, and a real redis-server that the test
 * empties (restart without its append-only file, FLUSHALL) or stops.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sipwarden } from '../../src/app.js';
import { Cli } from '../admin/support/cli-process.js';
import { capturedLog } from '../sip/harness.js';
import { freePort, waitFor } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { type DrachtioPorts, type DrachtioServer, findDrachtio, startDrachtio } from './drachtio-server.js';
import { ALLOWED, DENIED, health, inboundEdgeEnv, pushLists, startMainJob, stopStack } from './main-job.js';
import { type SippUas, runUac, startUas } from './sipp.js';

/** Without a binary the suite is skipped; the global setup says so once. */
const binary = findDrachtio();

const LOST = { status: 503, body: { status: 'degraded', drachtio: true, lists: true, reason: 'store-data-lost' } };
const READY = { status: 200, body: { status: 'ready', drachtio: true, lists: true } };
const LOST_LOG = 'the list store lost the data this edge followed';

describe.skipIf(binary === undefined)('the edge when Redis loses its data or is down', () => {
  const log = capturedLog();
  let redis: RedisServer;
  let operator: Redis;
  let ports: DrachtioPorts;
  let drachtio: DrachtioServer;
  let uas: SippUas;
  let edge: Sipwarden | undefined;
  let httpPort: number;
  let dir: string;
  let snapshotPath: string;

  const start = () =>
    startMainJob(
      inboundEdgeEnv(ports.admin, uas.port, {
        REDIS_URL: redis.url,
        SIPWARDEN_SNAPSHOT_PATH: snapshotPath,
        SIPWARDEN_RECONCILE_MS: '200',
        SIPWARDEN_HTTP_PORT: String(httpPort),
      }),
      log.logger,
    );
  /** REGISTER from `from` over udp; the final status the client got. */
  const register = async (from: string) => (await runUac({ scenario: 'uac-register.xml', from, domain: 'acme.example', user: 'alice', transport: 'udp', to: ports.sip })).status;
  const both = async () => ({ allowed: await register(ALLOWED), denied: await register(DENIED) });
  const healthIs = (expected: unknown) =>
    waitFor(`health ${JSON.stringify(expected)}`, async () => {
      // Refused while the edge is still binding its port.
      const now = await health(httpPort).catch(() => undefined);
      return JSON.stringify(now) === JSON.stringify(expected) ? now : undefined;
    });
  const lossGauge = async () => /^sipwarden_store_data_loss (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text())?.[1];
  const lossLogs = () => log.lines.filter((line) => String(line.msg).startsWith(LOST_LOG));
  const report = (what: string, value: unknown) => process.stdout.write(`store-faults: ${what}: ${JSON.stringify(value)}\n`);

  beforeAll(async () => {
    ports = { admin: await freePort(), sip: await freePort(), ws: await freePort() };
    httpPort = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'sipwarden-store-faults-'));
    snapshotPath = join(dir, 'lists.json');
    uas = await startUas();
    redis = await RedisServer.start();
    operator = redis.client();
    operator.on('error', () => undefined);
    await pushLists(operator, { '{acme}:sip': ALLOWED }, { 'acme.example': 'acme' });
    drachtio = await startDrachtio(binary!, ports);
    edge = await start();
    await healthIs(READY);
  });

  afterAll(async () => {
    await stopStack({ edge, drachtio, uas, operator, redis });
    rmSync(dir, { recursive: true, force: true });
  });

  it('marks a store of hand-pushed lists and records the marker in its snapshot', async () => {
    const marker = await waitFor('the store marker', () => operator.get('sipwarden:store').then((text) => text ?? undefined));
    expect(JSON.parse(marker)).toMatchObject({ kind: 'auto', createdBy: expect.stringMatching(/^edge /) });
    await waitFor('the snapshot with the marker', () => {
      try {
        return JSON.parse(readFileSync(snapshotPath, 'utf8')).storeMarker === JSON.parse(marker).id ? true : undefined;
      } catch {
        return undefined;
      }
    });
    expect(await both()).toEqual({ allowed: 200, denied: 403 });
  });

  it('keeps denying when Redis restarts empty, reports degraded, and follows the store again once the backup is restored', async () => {
    const keys = ['sipwarden:{acme}:sip:cidrs', 'sipwarden:domains', 'sipwarden:store'];
    const backup = await Promise.all(keys.map((key) => operator.dumpBuffer(key)));
    const snapshot = { text: readFileSync(snapshotPath, 'utf8'), mtimeMs: statSync(snapshotPath).mtimeMs };
    const logsBefore = lossLogs().length;

    await redis.restartEmpty();
    await healthIs(LOST);
    const during = await both();
    report('Redis restarted empty, REGISTER answers', during);
    expect(during).toEqual({ allowed: 200, denied: 403 });
    expect(await lossGauge()).toBe('1');
    // Reconciled every 200 ms meanwhile: still one error for the episode.
    expect(lossLogs().slice(logsBefore)).toEqual([expect.objectContaining({ level: 50 })]);
    expect({ text: readFileSync(snapshotPath, 'utf8'), mtimeMs: statSync(snapshotPath).mtimeMs }).toEqual(snapshot);

    // Key by key, the marker last: edges follow the store again as soon as it is back.
    for (const [i, key] of keys.entries()) await operator.restore(key, 0, backup[i]!, 'REPLACE');
    await healthIs(READY);
    expect(await lossGauge()).toBe('0');
    // Followed again: a change pushed now is enforced.
    await operator.set('sipwarden:{acme}:sip:cidrs', `${ALLOWED},${DENIED}`);
    await waitFor('the pushed change', () => (edge!.cache.decide('acme', 'sip', DENIED).allow ? true : undefined));
    expect(await both()).toEqual({ allowed: 200, denied: 200 });
    await operator.set('sipwarden:{acme}:sip:cidrs', ALLOWED);
    await waitFor('the list back', () => (edge!.cache.decide('acme', 'sip', DENIED).allow ? undefined : true));
  });

  it('keeps denying after FLUSHALL, and follows the store as it is once an admin runs store init --force', async () => {
    const logsBefore = lossLogs().length;
    await operator.flushall();
    await healthIs(LOST);
    expect(await both()).toEqual({ allowed: 200, denied: 403 });
    // The admin pushes the lists again (by hand: no marker), checks them, and re-initialises.
    await pushLists(operator, { '{acme}:sip': ALLOWED }, { 'acme.example': 'acme' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await health(httpPort)).status).toBe(503);
    const init = await new Cli(redis.url).run(['store', 'init', '--force', '--json']);
    report('sipwarden store init --force', { code: init.code, stdout: JSON.parse(init.stdout) });
    expect(init.code).toBe(0);
    await healthIs(READY);
    expect(lossLogs().slice(logsBefore)).toHaveLength(1);
    expect(await both()).toEqual({ allowed: 200, denied: 403 });
    expect(JSON.parse(readFileSync(snapshotPath, 'utf8')).storeMarker).toBe(JSON.parse(init.stdout).marker.id);
  });

  it('still opens a scope whose list an admin deleted on purpose', async () => {
    await operator.del('sipwarden:{acme}:sip:cidrs');
    await waitFor('the deletion', () => (edge!.cache.decide('acme', 'sip', DENIED).reason === 'scope-disabled' ? true : undefined));
    expect(await both()).toEqual({ allowed: 200, denied: 200 });
    expect(await health(httpPort)).toEqual(READY);
    await operator.set('sipwarden:{acme}:sip:cidrs', ALLOWED);
    await waitFor('the list back', () => (edge!.cache.decide('acme', 'sip', DENIED).allow ? undefined : true));
  });

  it('restarted while Redis is down, enforces its snapshot within a second, and the store takes over when it is back', async () => {
    await edge!.close();
    edge = undefined;
    await redis.kill();

    const started = performance.now();
    const starting = start();
    await healthIs(READY);
    const enforcingMs = Math.round(performance.now() - started);
    report('restart during a Redis outage: ms from start to /health 200, enforcing the snapshot', enforcingMs);
    expect(enforcingMs).toBeLessThan(1000);
    edge = await starting;
    expect(await both()).toEqual({ allowed: 200, denied: 403 });

    await redis.restart();
    await operator.set('sipwarden:{acme}:sip:cidrs', `${ALLOWED},${DENIED}`);
    await waitFor('the store followed', () => (edge!.cache.decide('acme', 'sip', DENIED).allow ? true : undefined), 15_000);
    expect(await both()).toEqual({ allowed: 200, denied: 200 });
    expect(await health(httpPort)).toEqual(READY);
  });
});
