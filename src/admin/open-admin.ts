/**
 * Connects the admin tools to Redis: the same store code as the edge.
 */
import type { Logger } from 'pino';
import type { RedisStoreConfig } from '../config/store-config.js';
import { RedisAuditLog } from '../store/audit-log.js';
import { RedisBanList } from '../store/ban-list.js';
import { RedisDeniedLog } from '../store/denied-log.js';
import { KeySchema } from '../store/keys.js';
import { type RedisClient, connectRedis, createRedisClient } from '../store/redis-connection.js';
import { RedisDomains } from '../store/redis-domains.js';
import { RedisStoreMarker } from '../store/redis-marker.js';
import { RedisListSource } from '../store/redis-source.js';
import { RedisListWriter } from '../store/redis-writer.js';
import type { AdminStores } from './admin-store.js';
import { ApiTokens } from './api-tokens.js';
import { BanAdmin } from './ban-admin.js';
import { ConsoleSessions } from './console-sessions.js';
import { DeniedAdmin } from './denied-admin.js';
import { type CountryData, ListAdmin } from './list-admin.js';
import { RememberedLists } from './remembered-lists.js';
import { dnsLookup } from './name-resolution.js';

export interface AdminStore {
  readonly admin: ListAdmin;
  /** Who the edges denied, and allowing one of them. */
  readonly denied: DeniedAdmin;
  /** The sources auto-ban banned. */
  readonly bans: BanAdmin;
  readonly tokens: ApiTokens;
  /** The admin console's sessions, ending after `idleMs` without a request. */
  readonly consoleSessions: (idleMs: number) => ConsoleSessions;
  /** The store marker, for `sipwarden store init | status`. */
  readonly marker: RedisStoreMarker;
  close(): void;
}

/** The admin core's stores on one Redis connection. */
export function redisAdminStores(client: RedisClient, keys: KeySchema, logger: Logger): AdminStores {
  const source = new RedisListSource(client, keys, logger);
  return {
    lists: new RememberedLists(new RedisListWriter(client, keys, source), (id) => source.fingerprint(id)),
    audit: new RedisAuditLog(client, keys),
    domains: new RedisDomains(client, keys),
  };
}

/**
 * The admin store, or undefined when Redis did not answer within `timeoutMs`.
 * `countries` places addresses in countries for `check` and the lockout guard.
 */
export async function openAdminStore(config: RedisStoreConfig, logger: Logger, timeoutMs: number, countries?: CountryData): Promise<AdminStore | undefined> {
  const client = createRedisClient({ ...config.connection, name: 'sipwarden-admin' });
  client.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis error'));
  if (!(await connectRedis(client, timeoutMs))) {
    client.disconnect();
    return undefined;
  }
  const keys = new KeySchema(config.prefix);
  // The names a command shows, checks or guards are resolved once with the configured resolver (SIPWARDEN_DNS_*).
  const admin = new ListAdmin(redisAdminStores(client, keys, logger), dnsLookup(config.dns, logger), countries);
  return {
    admin,
    denied: new DeniedAdmin(new RedisDeniedLog(client, keys), admin),
    bans: new BanAdmin(new RedisBanList(client, keys)),
    tokens: new ApiTokens(client, keys),
    consoleSessions: (idleMs) => new ConsoleSessions(client, keys, idleMs),
    marker: new RedisStoreMarker(client, keys.store),
    close: () => client.disconnect(),
  };
}
