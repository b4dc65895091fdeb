/**
 * The whole configuration, from the environment. Every variable is in
 * README's configuration table; a bad value is reported with its name and
 * nothing starts.
 */
import type { AdminApiOptions } from '../admin/http/start-admin-api.js';
import type { SipEdgeOptions } from '../sip/index.js';
import { adminApiConfig } from './admin-api-config.js';
import { type AutoBanConfig, autoBanConfig } from './auto-ban-config.js';
import { type BanSinkConfig, banSinkConfig } from './ban-sink-config.js';
import { type DeniedConfig, deniedConfig } from './denied-config.js';
import { DEFAULT_LOG_BUFFER_BYTES, MAX_LOG_BUFFER_BYTES } from '../log-stream.js';
import { EnvErrors, type EnvReader, integer, oneOf, text } from './env.js';
import { sipConfig } from './sip-config.js';
import { configErrorReport } from './start-advice.js';
import { type StoreConfig, storeConfig } from './store-config.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

export interface SipwardenConfig {
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** SIPWARDEN_LOG_BUFFER_BYTES: log bytes gathered before a write (src/log-stream.ts); 0: a write per line. */
  readonly logBufferBytes: number;
  readonly store: StoreConfig;
  readonly sip: SipEdgeOptions;
  /** Undefined: no admin API in this process. */
  readonly adminApi?: AdminApiOptions;
  /** SIPWARDEN_GEOIP_DB: the user's country .mmdb; undefined: the shipped country data. */
  readonly geoipDb?: string;
  /** The record of denied sources (SIPWARDEN_DENIED_*); kept in Redis only. */
  readonly denied: DeniedConfig;
  /** Banning repeat offenders (SIPWARDEN_AUTOBAN*); Redis store only. */
  readonly autoBan: AutoBanConfig;
  /** Where bans are enforced besides the edge's own 403 (SIPWARDEN_BAN_SINK, SIPWARDEN_NFT_*). */
  readonly banSink: BanSinkConfig;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: SipwardenConfig }
  /** `report`: the errors and what to do about them, for stderr. */
  | { readonly ok: false; readonly errors: readonly string[]; readonly report: string };

export function loadConfig(env: EnvReader): ConfigResult {
  const errors = new EnvErrors();
  const store = storeConfig(env, errors);
  // The admin API writes to Redis; the embedded store is read-only.
  const adminApi = store.kind === 'redis' ? adminApiConfig(env, errors) : undefined;
  const geoipDb = text(env, 'SIPWARDEN_GEOIP_DB');
  const config: SipwardenConfig = {
    logLevel: oneOf(env, errors, 'SIPWARDEN_LOG_LEVEL', LOG_LEVELS, 'info'),
    logBufferBytes: integer(env, errors, 'SIPWARDEN_LOG_BUFFER_BYTES', DEFAULT_LOG_BUFFER_BYTES, 0, MAX_LOG_BUFFER_BYTES),
    store,
    sip: sipConfig(env, errors),
    denied: deniedConfig(env, errors),
    autoBan: autoBanConfig(env, errors),
    banSink: banSinkConfig(env, errors),
    ...(adminApi !== undefined && { adminApi }),
    ...(geoipDb !== undefined && { geoipDb }),
  };
  // The sink mirrors auto-ban's list: without auto-ban there is nothing to mirror, and an operator asking for kernel shedding would get none.
  if (config.banSink.kind === 'nftables' && !(config.autoBan.enabled && store.kind === 'redis')) {
    errors.messages.push('SIPWARDEN_BAN_SINK: nftables mirrors the ban list of auto-ban: set SIPWARDEN_AUTOBAN=on (with REDIS_URL), or SIPWARDEN_BAN_SINK=edge');
  }
  if (errors.messages.length === 0) return { ok: true, config };
  return { ok: false, errors: errors.messages, report: configErrorReport(errors, config.sip.drachtio) };
}
