/**
 * Denied-source records for the suites that seed "who is knocking" (the API
 * and the console): a phone of moved.example that stopped registering after
 * an office move, last seen some minutes before LAST.
 */
import { RedisBanList } from '../../src/store/ban-list.js';
import { type DeniedSource, RedisDeniedLog } from '../../src/store/denied-log.js';
import { KeySchema } from '../../src/store/keys.js';
import { type RedisClient, connectRedis, createRedisClient } from '../../src/store/redis-connection.js';

export const LAST = Date.parse('2026-12-03T10:00:00Z');

export const seen = (address: string, count: number, minutesAgo: number, more: Partial<DeniedSource> = {}): DeniedSource => ({
  tenant: 'moved.example',
  scope: 'sip',
  address,
  count,
  firstSeen: LAST - 3_600_000,
  lastSeen: LAST - minutesAgo * 60_000,
  method: 'REGISTER',
  transport: 'udp',
  userAgent: 'Yealink SIP-T46U',
  domain: 'pbx.moved.example',
  ...more,
});

/** The edge's own stores of denied sources and bans, on the suite's redis-server (the client is the caller's to disconnect). */
export async function deniedStores(url: string): Promise<{ client: RedisClient; record: RedisDeniedLog; bans: RedisBanList }> {
  const client = createRedisClient({ url, commandTimeoutMs: 2000 });
  await connectRedis(client, 2000);
  return { client, record: new RedisDeniedLog(client, new KeySchema()), bans: new RedisBanList(client, new KeySchema()) };
}
