/**
 * Starts the live cache on the configured store: Redis, or the embedded file.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { StoreConfig } from '../config/store-config.js';
import { EmbeddedListSource } from './embedded-source.js';
import { KeySchema } from './keys.js';
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

export async function startCache(config: StoreConfig, logger: Logger, registry: Registry): Promise<RunningCache> {
  let source: ListSource;
  let client: RedisClient | undefined;
  let snapshotPath: string | undefined;
  if (config.kind === 'redis') {
    client = createRedisClient(config.connection);
    logRedisErrors(client, logger);
    if (!(await connectRedis(client, CONNECT_WAIT_MS))) logger.warn('redis not reachable yet; starting from the snapshot if there is one');
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
  });
  await cache.start();
  return {
    cache,
    close: async () => {
      await cache.stop();
      client?.disconnect();
    },
  };
}
