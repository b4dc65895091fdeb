/**
 * Builds the ioredis client from configuration: a URL (redis:// or rediss://),
 * Sentinel, or Cluster. Commands fail fast while disconnected instead of
 * queueing, so an outage shows up at once and the cache keeps the last-known-
 * good lists; the client reconnects by itself with capped exponential backoff.
 * Every client made here has sipwarden's Lua scripts defined (redis-scripts.ts).
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { REDIS_SCRIPTS } from './redis-scripts.js';

export type RedisClient = Redis | Cluster;

export interface RedisConnectionOptions {
  /** redis://[user:password@]host:port/db or rediss://… (TLS). Also carries the credentials for Sentinel and Cluster. */
  readonly url: string;
  /** Sentinel endpoints ("host:port"); with `sentinelName`, the URL's host is ignored. */
  readonly sentinels?: readonly string[];
  readonly sentinelName?: string;
  /** Cluster seed nodes ("host:port"); the URL's host is ignored. */
  readonly clusterNodes?: readonly string[];
  readonly commandTimeoutMs: number;
  /** Connection name shown by CLIENT LIST. */
  readonly name?: string;
}

const MAX_BACKOFF_MS = 5_000;

/** Capped exponential backoff with jitter, so a fleet of edges does not reconnect in lockstep. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(attempt, 10));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

function hostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon < 1 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${JSON.stringify(text)} is not host:port`);
  return { host: text.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port };
}

function urlOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`REDIS_URL ${JSON.stringify(url.replace(/\/\/[^@]*@/, '//***@'))} is not a URL`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`REDIS_URL must start with redis:// or rediss://`);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error('REDIS_URL database must be a number');
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' && { tls: { servername: parsed.hostname } }),
  };
}

/** Creates the client without connecting; call connect() (see connectRedis). The one place scripts are defined. */
export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const fromUrl = urlOptions(options.url);
  const common: RedisOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: reconnectDelay,
    ...(options.name && { connectionName: options.name }),
  };
  if (options.clusterNodes && options.clusterNodes.length > 0) {
    const { host: _h, port: _p, db: _d, ...credentials } = fromUrl;
    return new Cluster(options.clusterNodes.map(hostPort), {
      scripts: REDIS_SCRIPTS,
      lazyConnect: true,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      redisOptions: { ...common, ...credentials },
    });
  }
  if (options.sentinels && options.sentinels.length > 0) {
    const { host: _h, port: _p, ...rest } = fromUrl;
    return new Redis({ ...common, ...rest, scripts: REDIS_SCRIPTS, sentinels: options.sentinels.map(hostPort), name: options.sentinelName ?? 'mymaster' });
  }
  return new Redis({ ...common, ...fromUrl, scripts: REDIS_SCRIPTS });
}

/**
 * Connects, waiting at most `timeoutMs`. Resolves false (the client keeps
 * retrying in the background) instead of throwing, so a caller can start on a
 * snapshot while Redis is down.
 */
export async function connectRedis(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return true;
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  // Swallow the first attempt's error: reconnection goes on, 'ready' tells success.
  client.connect().catch(() => undefined);
  return ready;
}
