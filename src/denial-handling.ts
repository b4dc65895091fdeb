/**
 * Part of the composition root: what the edge does with the sources it
 * denies (issue 14). The record of who is knocking and auto-ban need Redis
 * (a connection of their own); the per-source rate limit needs nothing but
 * the lists. All three share the rules of who is never shed. With
 * SIPWARDEN_BAN_SINK=nftables auto-ban's list is mirrored into the kernel,
 * the kernel rate-limits UDP per source (the never-ban list, the trusted
 * proxies and the sources the edge allows exempt), and an edge whose nft is
 * missing or not permitted does not start.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SipwardenConfig } from './config/index.js';
import { kernelPrefixes } from './shed/exempt-prefixes.js';
import { NftablesBanSink } from './shed/nftables-ban-sink.js';
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
  readonly edge: Pick<SipEdgeOptions, 'deniedSources' | 'banned' | 'rateLimit' | 'allowedSources' | 'listenersAnnounced'>;
  readonly closers: ReadonlyArray<() => Promise<void> | void>;
}

export type DenialHandlingStart = ({ readonly ok: true } & DenialHandling) | { readonly ok: false; readonly message: string };

export async function startDenialHandling(config: SipwardenConfig, lists: ListGuard, logger: Logger, registry: Registry): Promise<DenialHandlingStart> {
  const { banSink, denied, autoBan: shedding } = config;
  const neverBan = [shedding.neverBan, config.sip.trustedProxies ?? ''].filter((cidrs) => cidrs.trim() !== '').join(',');
  let sink: NftablesBanSink | undefined;
  if (banSink.kind === 'nftables') {
    const exempt = kernelPrefixes(neverBan);
    if (!exempt.ok) return { ok: false, message: `SIPWARDEN_NEVER_BAN or SIPWARDEN_TRUSTED_PROXIES: ${exempt.message}` };
    const meter = banSink.sourceRate === 0 ? undefined : { rate: banSink.sourceRate, burst: banSink.sourceBurst, exempt: exempt.prefixes };
    const started = await NftablesBanSink.start({ table: banSink.table, ports: banSink.ports ?? [], leaseMs: config.autoBan.durationMs, meter, logger, registry });
    if (!started.ok) return { ok: false, message: `SIPWARDEN_BAN_SINK=nftables: ${started.message}` };
    sink = started.sink;
  }
  const observers: Array<{ note(denied: DeniedRequest): void }> = [];
  // The sink closes last (closers run reversed): the sweep that feeds it has stopped by then.
  const closers: Array<() => Promise<void> | void> = sink === undefined ? [] : [() => sink.close()];
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
      const banning = new AutoBan({ ...shedding, by: hostname() }, new RedisBanList(client, keys), sparing, logger, registry, sink);
      banning.start();
      closers.push(() => banning.stop());
      observers.push(banning);
      autoBan = banning;
      const where = sink === undefined ? 'banned sources are answered 403 first thing' : 'banned sources are dropped by the kernel, and answered 403 first thing by the edge should one get through';
      logger.info({ set: keys.bans.set, threshold: shedding.threshold, windowMs: shedding.windowMs, durationMs: shedding.durationMs, sink: banSink.kind }, `auto-ban on: ${where}`);
    }
  }
  const deniedSources = observers.length === 0 ? undefined : { note: (request: DeniedRequest) => observers.forEach((observer) => observer.note(request)) };
  // Without SIPWARDEN_NFT_PORTS the sink guards the ports drachtio-server announces.
  const listenersAnnounced = sink !== undefined && banSink.kind === 'nftables' && banSink.ports === undefined ? sink.guard.bind(sink) : undefined;
  const allowedSources = sink !== undefined && banSink.kind === 'nftables' && banSink.sourceRate > 0 ? sink : undefined;
  return {
    ok: true,
    edge: {
      ...(deniedSources !== undefined && { deniedSources }),
      ...(autoBan !== undefined && { banned: autoBan }),
      ...(rateLimit !== undefined && { rateLimit }),
      ...(allowedSources !== undefined && { allowedSources }),
      ...(listenersAnnounced !== undefined && { listenersAnnounced }),
    },
    // Reversed by the caller, like its own: the Redis connection closes last.
    closers,
  };
}
