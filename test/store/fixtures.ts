import type { CountryLookup } from '../../src/policy/index.js';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { NameResolverSettings } from '../../src/dns/index.js';
import { KeySchema, type ListId } from '../../src/store/keys.js';
import { ListCache } from '../../src/store/list-cache.js';
import type { ListSource } from '../../src/store/list-source.js';
import { type RedisClient, connectRedis, createRedisClient } from '../../src/store/redis-connection.js';
import { RedisListSource } from '../../src/store/redis-source.js';
import { RedisListWriter } from '../../src/store/redis-writer.js';
import { afterAll, beforeAll } from 'vitest';
import { capturingLogger } from '../support/logger.js';
import { RedisServer } from '../support/redis-server.js';

export const ACME_SIP: ListId = { tenant: 'acme', scope: 'sip' };

export interface RedisStore {
  client: RedisClient;
  keys: KeySchema;
  source: RedisListSource;
  writer: RedisListWriter;
  close(): void;
}

export async function redisStore(url: string, logger: Logger, prefix = 'sipwarden'): Promise<RedisStore> {
  const client = createRedisClient({ url, commandTimeoutMs: 2000 });
  client.on('error', () => undefined);
  await connectRedis(client, 1000);
  const keys = new KeySchema(prefix);
  const source = new RedisListSource(client, keys, logger);
  return { client, keys, source, writer: new RedisListWriter(client, keys, source), close: () => client.disconnect() };
}

export function newCache(
  source: ListSource,
  options: { reconcileMs?: number; snapshotPath?: string; dns?: Partial<NameResolverSettings>; countries?: CountryLookup } = {},
) {
  const { logger, lines } = capturingLogger();
  const registry = new Registry();
  const cache = new ListCache(source, {
    reconcileMs: options.reconcileMs ?? 5000,
    logger,
    registry,
    ...(options.snapshotPath !== undefined && { snapshotPath: options.snapshotPath }),
    ...(options.dns !== undefined && { dns: options.dns }),
    ...(options.countries !== undefined && { countries: options.countries }),
  });
  return { cache, lines, registry };
}

export function entries(...values: string[]) {
  return values.map((value) => ({ value, active: true }));
}

/** A redis-server of the tests' own and a store on it, for the tests of one describe block: started before them, stopped after. */
export function redisForTests(): { readonly redis: RedisServer; readonly admin: RedisStore } {
  const env = {} as { redis: RedisServer; admin: RedisStore };
  beforeAll(async () => {
    env.redis = await RedisServer.start();
    env.admin = await redisStore(env.redis.url, capturingLogger().logger);
  });
  afterAll(async () => {
    env.admin?.close();
    await env.redis?.stop();
  });
  return env;
}
