/**
 * The composition root: the live list cache, the SIP edge deciding through
 * it, and (with Redis) the admin API beside them, in one process.
 */
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { type AdminStore, openAdminStore } from './admin/open-admin.js';
import { startAdminApi } from './admin/http/start-admin-api.js';
import type { SipwardenConfig } from './config/index.js';
import { hostname } from 'node:os';
import { AutoBan } from './sip/auto-ban.js';
import { DeniedReporter } from './sip/denied-reporter.js';
import { type DeniedRequest, DeniedSourceTable } from './sip/denied-sources.js';
import { startSipEdge } from './sip/index.js';
import { type CountryData, CountryDataWatcher, loadCountryData } from './geo/index.js';
import { RedisBanList } from './store/ban-list.js';
import { RedisDeniedLog } from './store/denied-log.js';
import { KeySchema } from './store/keys.js';
import { createRedisClient } from './store/redis-connection.js';
import { type RunningCache, openCache } from './store/start-cache.js';

export interface Sipwarden {
  readonly cache: RunningCache['cache'];
  /** Where /health and /metrics are served. */
  readonly httpPort: number;
  /** The admin API's port, when it runs. */
  readonly adminApiPort?: number;
  close(): Promise<void>;
}

export type StartResult = { readonly ok: true; readonly app: Sipwarden } | { readonly ok: false; readonly message: string };

const ADMIN_CONNECT_WAIT_MS = 3000;

type AdminApiStart = { readonly ok: true; readonly port?: number } | { readonly ok: false; readonly message: string };

/**
 * The cache, the SIP edge and the admin API start side by side: the edge
 * connects to drachtio-server while Redis is tried (it decides through the
 * cache, which denies everything until it has lists), and the admin API's
 * wait for Redis holds up neither.
 */
export async function startSipwarden(config: SipwardenConfig, logger: Logger, registry = new Registry()): Promise<StartResult> {
  collectDefaultMetrics({ register: registry });
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  // A user's .mmdb is watched from before it is read, so no change after the read is missed.
  const geoipDb = config.geoipDb;
  const versionAtLoad = geoipDb === undefined ? undefined : CountryDataWatcher.versionOf(geoipDb);
  let countries: CountryData;
  try {
    countries = loadCountryData(geoipDb);
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
  logger.info({ source: countries.source }, 'country data loaded');
  const running = openCache(config.store, logger, registry, countries.lookup);
  closers.push(() => running.close());
  if (geoipDb !== undefined && versionAtLoad !== undefined) {
    const watcher = new CountryDataWatcher({ path: geoipDb, version: versionAtLoad, source: countries.source, logger, registry });
    // The admin API reads `countries` per request; the edge's scopes get the new data through the cache.
    watcher.start((data) => {
      countries = data;
      running.cache.useCountryData(data.lookup);
    });
    closers.push(() => watcher.stop());
  }

  const startAdmin = async (): Promise<AdminApiStart> => {
    if (config.adminApi === undefined || config.store.kind !== 'redis') return { ok: true };
    const store: AdminStore | undefined = await openAdminStore(config.store, logger, ADMIN_CONNECT_WAIT_MS, () => countries.lookup);
    if (store === undefined) {
      logger.warn('admin API not started: Redis did not answer; the edge runs on without it');
      return { ok: true };
    }
    closers.push(() => store.close());
    const api = await startAdminApi(config.adminApi, { ...store, policy: running.cache, logger, registry });
    if (!api.ok) return { ok: false, message: `admin API: ${api.message}` };
    closers.push(() => api.api.close());
    return { ok: true, port: api.api.port };
  };

  // Who is knocking and auto-ban: the edge's denied sources, on a Redis connection of their own (none with the embedded store).
  const deniedObservers: Array<{ note(denied: DeniedRequest): void }> = [];
  let autoBan: AutoBan | undefined;
  const { denied: deniedSettings, autoBan: banSettings } = config;
  if (config.store.kind === 'redis' && (deniedSettings.tableSize > 0 || banSettings.enabled)) {
    const client = createRedisClient({ ...config.store.connection, name: 'sipwarden-denied' });
    client.on('error', (err: Error) => logger.debug({ err: err.message }, 'redis error (denied sources)'));
    client.connect().catch(() => undefined);
    closers.push(() => client.disconnect());
    const keys = new KeySchema(config.store.prefix);
    if (deniedSettings.tableSize > 0) {
      const table = new DeniedSourceTable(deniedSettings.tableSize);
      const reporter = new DeniedReporter(table, new RedisDeniedLog(client, keys, deniedSettings.bounds), deniedSettings.flushMs, logger, registry);
      reporter.start();
      closers.push(() => reporter.stop());
      deniedObservers.push(table);
    }
    if (banSettings.enabled) {
      const neverBan = [banSettings.neverBan, config.sip.trustedProxies ?? ''].filter((cidrs) => cidrs.trim() !== '').join(',');
      autoBan = new AutoBan({ ...banSettings, neverBan, by: hostname() }, new RedisBanList(client, keys), running.cache, logger, registry);
      autoBan.start();
      const stopping = autoBan;
      closers.push(() => stopping.stop());
      deniedObservers.push(autoBan);
      logger.info({ set: keys.bans.set, threshold: banSettings.threshold, windowMs: banSettings.windowMs, durationMs: banSettings.durationMs }, 'auto-ban on: point drachtio-server --blacklist-redis-key at the set');
    }
  }
  const deniedSources = deniedObservers.length === 0 ? undefined : { note: (denied: DeniedRequest) => deniedObservers.forEach((observer) => observer.note(denied)) };

  const sip = { ...config.sip, ...(deniedSources !== undefined && { deniedSources }), ...(autoBan !== undefined && { banned: autoBan }) };
  const [edge, admin] = await Promise.all([startSipEdge(sip, running.cache, logger, registry), startAdmin(), running.started]);
  if (!edge.ok) {
    await closeAll();
    return { ok: false, message: `SIP edge: ${edge.message}` };
  }
  closers.push(() => edge.edge.close());
  if (!admin.ok) {
    await closeAll();
    return admin;
  }
  return {
    ok: true,
    app: { cache: running.cache, httpPort: edge.edge.httpPort, ...(admin.port !== undefined && { adminApiPort: admin.port }), close: closeAll },
  };
}
