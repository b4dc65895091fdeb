/**
 * Part of the composition root: what the edge does with the sources it
 * denies (issue 14). The record of who is knocking and auto-ban need Redis
 * (a connection of their own); the per-source rate limit needs nothing but
 * the lists. All three share the rules of who is never shed.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SipwardenConfig } from './config/index.js';
import { AutoBan } from './sip/auto-ban.js';
import { DeniedReporter } from './sip/denied-reporter.js';
import { type DeniedRequest, DeniedSourceTable } from './sip/denied-sources.js';
import type { SipEdgeOptions } from './sip/index.js';
import { SourceRateLimit } from './sip/source-rate-limit.js';
import { type ListGuard, SparedSources } from './sip/spared-sources.js';
import { RedisBanList } from './store/ban-list.js';
import { RedisDeniedLog } from './store/denied-log.js';
import { KeySchema } from './store/keys.js';
import { createRedisClient } from './store/redis-connection.js';

export interface DenialHandling {
  /** What the SIP edge's filter gets. */
  readonly edge: Pick<SipEdgeOptions, 'deniedSources' | 'banned' | 'rateLimit'>;
  readonly closers: ReadonlyArray<() => Promise<void> | void>;
}

export function startDenialHandling(config: SipwardenConfig, lists: ListGuard, logger: Logger, registry: Registry): DenialHandling {
  const observers: Array<{ note(denied: DeniedRequest): void }> = [];
  const closers: Array<() => Promise<void> | void> = [];
  const { denied, autoBan: shedding } = config;
  const neverBan = [shedding.neverBan, config.sip.trustedProxies ?? ''].filter((cidrs) => cidrs.trim() !== '').join(',');
  const sparing = new SparedSources(neverBan, lists);
  let rateLimit: SourceRateLimit | undefined;
  if (shedding.sourceRateLimit > 0) {
    rateLimit = new SourceRateLimit(shedding.sourceRateLimit, shedding.sourceRateAction, sparing);
    observers.push(rateLimit);
  }
  let autoBan: AutoBan | undefined;
  if (config.store.kind === 'redis' && (denied.tableSize > 0 || shedding.enabled)) {
    const client = createRedisClient({ ...config.store.connection, name: 'sipwarden-denied' });
    client.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis error (denied sources)'));
    client.connect().catch(() => undefined);
    closers.push(() => client.disconnect());
    const keys = new KeySchema(config.store.prefix);
    if (denied.tableSize > 0) {
      const table = new DeniedSourceTable(denied.tableSize);
      const reporter = new DeniedReporter(table, new RedisDeniedLog(client, keys, denied.bounds), denied.flushMs, logger, registry);
      reporter.start();
      closers.push(() => reporter.stop());
      observers.push(table);
    }
    if (shedding.enabled) {
      const banning = new AutoBan({ ...shedding, by: hostname() }, new RedisBanList(client, keys), sparing, logger, registry);
      banning.start();
      closers.push(() => banning.stop());
      observers.push(banning);
      autoBan = banning;
      logger.info({ set: keys.bans.set, threshold: shedding.threshold, windowMs: shedding.windowMs, durationMs: shedding.durationMs }, 'auto-ban on: banned sources are answered 403 first thing');
    }
  }
  const deniedSources = observers.length === 0 ? undefined : { note: (request: DeniedRequest) => observers.forEach((observer) => observer.note(request)) };
  return {
    edge: { ...(deniedSources !== undefined && { deniedSources }), ...(autoBan !== undefined && { banned: autoBan }), ...(rateLimit !== undefined && { rateLimit }) },
    // Reversed by the caller, like its own: the Redis connection closes last.
    closers,
  };
}
