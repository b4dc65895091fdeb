/**
 * Where the lists live: Redis (REDIS_URL set) or the embedded file store.
 */
import { DEFAULT_PREFIX } from '../store/keys.js';
import type { RedisConnectionOptions } from '../store/redis-connection.js';
import type { NameResolverSettings } from '../dns/index.js';
import { dnsConfig } from './dns-config.js';
import { type EnvErrors, type EnvReader, integer, list, text } from './env.js';

export interface RedisStoreConfig {
  readonly kind: 'redis';
  readonly connection: RedisConnectionOptions;
  readonly prefix: string;
  readonly reconcileMs: number;
  readonly snapshotPath?: string;
  /** How the lists' DNS names are resolved; DNS_DEFAULTS when absent. */
  readonly dns?: NameResolverSettings;
}

export interface EmbeddedStoreConfig {
  readonly kind: 'embedded';
  readonly listsFile: string;
  readonly reconcileMs: number;
  readonly dns?: NameResolverSettings;
}

export type StoreConfig = RedisStoreConfig | EmbeddedStoreConfig;

export const DEFAULT_LISTS_FILE = './lists.json';

export function storeConfig(env: EnvReader, errors: EnvErrors): StoreConfig {
  const reconcileMs = integer(env, errors, 'SIPWARDEN_RECONCILE_MS', 5000, 100, 3_600_000);
  const dns = dnsConfig(env, errors);
  const url = text(env, 'REDIS_URL');
  if (url === undefined) {
    return { kind: 'embedded', listsFile: text(env, 'SIPWARDEN_LISTS_FILE', DEFAULT_LISTS_FILE), reconcileMs, dns };
  }
  if (!/^rediss?:\/\//.test(url)) errors.fail('REDIS_URL', 'redis://… or rediss://…', url.replace(/\/\/[^@]*@/, '//***@'));
  const prefix = text(env, 'SIPWARDEN_REDIS_PREFIX', DEFAULT_PREFIX);
  if (/[{}\s]/.test(prefix)) errors.fail('SIPWARDEN_REDIS_PREFIX', 'no braces or spaces', prefix);
  const snapshotPath = text(env, 'SIPWARDEN_SNAPSHOT_PATH');
  const sentinelName = text(env, 'SIPWARDEN_REDIS_SENTINEL_NAME');
  return {
    kind: 'redis',
    prefix,
    reconcileMs,
    dns,
    ...(snapshotPath !== undefined && { snapshotPath }),
    connection: {
      url,
      sentinels: list(env, 'SIPWARDEN_REDIS_SENTINELS'),
      ...(sentinelName !== undefined && { sentinelName }),
      clusterNodes: list(env, 'SIPWARDEN_REDIS_CLUSTER_NODES'),
      commandTimeoutMs: integer(env, errors, 'SIPWARDEN_REDIS_COMMAND_TIMEOUT_MS', 5000, 100, 600_000),
      name: 'sipwarden-edge',
    },
  };
}
