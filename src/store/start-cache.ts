/**
 * Starts the live cache on the configured store: Redis, or the embedded file.
 * Nothing here waits for Redis: the cache starts from its snapshot while the
 * client connects (see ListCache.start), so an edge restarted during an
 * outage enforces its last-known-good lists at once.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { StoreConfig } from '../config/store-config.js';
import { EmbeddedListSource } from './embedded-source.js';
import { KeySchema } from './keys.js';
import type { CountryLookup } from '../policy/index.js';
import { ListCache } from './list-cache.js';
import type { ListSource } from './list-source.js';
import { type RedisClient, connectRedis, createRedisClient } from './redis-connection.js';
import { RedisListSource } from './redis-source.js';

const CONNECT_WAIT_MS = 3000;
const ERROR_LOG_EVERY_MS = 10_000;

export interface RunningCache {
  readonly cache: ListCache;
  close(): Promise<void>;
}

export interface StartingCache extends RunningCache {
  /** Settles when the cache has started (see ListCache.start); the cache denies everything until it is ready. */
  readonly started: Promise<void>;
}

/** Logs client errors without flooding: a reconnect loop repeats the same one every few hundred ms. */
export function logRedisErrors(client: RedisClient, logger: Logger): void {
  let last = '';
  let lastAt = 0;
  client.on('error', (err: Error) => {
    const now = Date.now();
    if (err.message === last && now - lastAt < ERROR_LOG_EVERY_MS) return;
    last = err.message;
    lastAt = now;
    logger.warn({ err: err.message }, 'redis connection error; retrying with backoff');
  });
  client.on('ready', () => logger.info('redis connected'));
}

/** Starts the cache and resolves once it has: loaded from the store or the snapshot, or given up waiting. */
export async function startCache(config: StoreConfig, logger: Logger, registry: Registry, countries?: CountryLookup): Promise<RunningCache> {
  const starting = openCache(config, logger, registry, countries);
  await starting.started;
  return starting;
}

/** Starts the cache without waiting for it, for a caller that starts other parts meanwhile. */
export function openCache(config: StoreConfig, logger: Logger, registry: Registry, countries?: CountryLookup): StartingCache {
  let source: ListSource;
  let client: RedisClient | undefined;
  let snapshotPath: string | undefined;
  if (config.kind === 'redis') {
    client = createRedisClient(config.connection);
    logRedisErrors(client, logger);
    void connectRedis(client, CONNECT_WAIT_MS).then((ready) => {
      if (!ready) logger.warn('redis not reachable yet; enforcing the snapshot if there is one, and retrying');
    });
    source = new RedisListSource(client, new KeySchema(config.prefix), logger);
    snapshotPath = config.snapshotPath;
  } else {
    logger.info({ file: config.listsFile }, 'no REDIS_URL: using the embedded list store');
    source = new EmbeddedListSource(config.listsFile);
  }
  const cache = new ListCache(source, {
    reconcileMs: config.reconcileMs,
    logger,
    registry,
    ...(snapshotPath !== undefined && { snapshotPath }),
    ...(config.dns !== undefined && { dns: config.dns }),
    ...(countries !== undefined && { countries }),
  });
  return {
    cache,
    started: cache.start(),
    close: async () => {
      await cache.stop();
      client?.disconnect();
    },
  };
}
