/**
 * The composition root: the live list cache, the SIP edge deciding through
 * it, and (with Redis) the admin API beside them, in one process.
 */
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { type AdminStore, openAdminStore } from './admin/open-admin.js';
import { startAdminApi } from './admin/http/start-admin-api.js';
import type { SipwardenConfig } from './config/index.js';
import { startDenialHandling } from './denial-handling.js';
import { startSipEdge } from './sip/index.js';
import { type CountryData, CountryDataWatcher, loadCountryData } from './geo/index.js';
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

  const denials = await startDenialHandling(config, running.cache, logger, registry);
  if (!denials.ok) {
    await closeAll();
    return denials;
  }
  closers.push(...denials.closers);
  const sip = { ...config.sip, ...denials.edge };
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
