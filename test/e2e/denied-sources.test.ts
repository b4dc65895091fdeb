/**
 * Who is knocking, end to end (issue 14): the main job on a real
 * drachtio-server with its lists in a real redis-server. A flood of denied
 * REGISTERs from 127.0.0.3 shows in the denied-sources view (what `sipwarden
 * denied` and GET …/denied read) with the right count within the flush
 * interval; with Redis killed during a flood no decision changes, and the
 * counts arrive once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisDeniedLog } from '../../src/store/denied-log.js';
import { KeySchema } from '../../src/store/keys.js';
import { type RedisClient, connectRedis, createRedisClient } from '../../src/store/redis-connection.js';
import { fixture } from '../sip/drachtio-message.js';
import { capturedLog } from '../sip/harness.js';
import { until } from '../support/net.js';
import { findDrachtio } from './drachtio-server.js';
import { ALLOWED, DENIED, type InboundStack, startInboundStack, stopStack } from './main-job.js';
import { fresh, sendUdp } from './sip-clients.js';

const binary = findDrachtio();
const FLUSH_MS = 300;
const REGISTER = fixture('deskphone-udp-register.sip');

describe.skipIf(binary === undefined)('the record of denied sources at the SIP edge', () => {
  const log = capturedLog();
  let stack: InboundStack;
  let client: RedisClient;
  let record: RedisDeniedLog;

  /** `count` REGISTERs from `from`, 50 at a time: the final status of each. */
  async function flood(from: string, count: number): Promise<(string | undefined)[]> {
    const statuses: (string | undefined)[] = [];
    for (let sent = 0; sent < count; sent += 50) {
      statuses.push(...(await Promise.all(Array.from({ length: Math.min(50, count - sent) }, () => sendUdp(fresh(REGISTER), from, stack.ports.sip)))));
    }
    return statuses;
  }

  beforeAll(async () => {
    stack = await startInboundStack(binary!, { '{acme}:sip': ALLOWED }, { 'acme.example': 'acme' }, log.logger, { SIPWARDEN_DENIED_FLUSH_MS: String(FLUSH_MS) });
    // The operator's connection sees the outage too.
    stack.operator.on('error', () => undefined);
    client = createRedisClient({ url: stack.redis.url, commandTimeoutMs: 1000 });
    client.on('error', () => undefined);
    await connectRedis(client, 2000);
    record = new RedisDeniedLog(client, new KeySchema());
  });

  afterAll(async () => {
    client?.disconnect();
    if (stack !== undefined) await stopStack(stack);
  });

  it('shows a flood from 127.0.0.3 with its count, User-Agent and domain within the flush interval, in one record', async () => {
    const statuses = await flood(DENIED, 400);
    expect(statuses.every((s) => s === 'SIP/2.0 403 Forbidden')).toBe(true);
    const doneAt = Date.now();
    await until(async () => (await record.read('acme'))[0]?.count === 400, 5000, 'the flood in the record');
    expect(Date.now() - doneAt).toBeLessThan(FLUSH_MS + 1000);
    const [source, ...others] = await record.read('acme');
    expect(others).toEqual([]);
    expect(source).toMatchObject({ scope: 'sip', address: DENIED, count: 400, method: 'REGISTER', transport: 'udp', userAgent: 'Yealink SIP-T54W 96.86.0.70', domain: 'acme.example' });
    expect(await stack.operator.hlen('sipwarden:{acme}:denied')).toBe(1);
  });

  it('changes no decision while Redis is down during a flood, and records the denials once it is back', async () => {
    const before = (await record.read('acme'))[0]?.count ?? 0;
    await stack.redis.kill();
    const [denied, allowed] = await Promise.all([flood(DENIED, 200), flood(ALLOWED, 20)]);
    expect(denied.every((s) => s === 'SIP/2.0 403 Forbidden')).toBe(true);
    expect(allowed.every((s) => s === 'SIP/2.0 200 OK')).toBe(true);
    await until(() => log.lines.some((line) => line.msg === 'denied sources not recorded; kept for the next flush'), 5000, 'a failed flush');
    await stack.redis.restart();
    await until(async () => (await record.read('acme').catch(() => []))[0]?.count === before + 200, 15_000, 'the denials of the outage in the record');
  });
});
