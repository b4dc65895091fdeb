/**
 * Reads lists from Redis for the live cache and follows their changes:
 * sipwarden's own change channel, keyspace notifications for hand-made writes
 * (where the server has `notify-keyspace-events` with K and $/h/g), and a
 * resync whenever the subscriber reconnects, since Pub/Sub loses what was
 * published while it was away. Every read for the cache reads the store
 * marker with the data, in the same MULTI (see store-marker.ts).
 */
import type { ChainableCommander } from 'ioredis';
import type { Logger } from 'pino';
import { type Scope, isScope } from '../policy/index.js';
import { type KeySchema, type ListId, isValidTenant, listIdKey } from './keys.js';
import type { ListSource, SourceEvents, Watch } from './list-source.js';
import type { RawList } from './raw-list.js';
import type { RedisClient } from './redis-connection.js';
import { RedisStoreMarker } from './redis-marker.js';
import { fingerprintsOf } from './redis-scripts.js';
import { type Marked, type MarkerSeen, markerSeen, newMarker, sameMarker } from './store-marker.js';

const SCAN_COUNT = 1000;
/**
 * Lists per fingerprints.lua call. A script blocks Redis while it runs, about
 * 5 µs a list (bench:store), so 200 lists keep a call near a millisecond.
 * The calls of one reconciliation go out together: one round trip still.
 */
export const FINGERPRINT_BATCH = 200;

export class RedisListSource implements ListSource {
  private readonly marker: RedisStoreMarker;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
    private readonly logger: Logger,
  ) {
    this.marker = new RedisStoreMarker(client, keys.store);
  }

  /**
   * Every list, and the marker read after the SCAN: a store flushed before or
   * during the SCAN has lost its marker by then (or has a new one). Reads that
   * saw different markers are no consistent state of the store: refused, so
   * the cache reads again.
   */
  async readAll(): Promise<{ lists: RawList[] } & Marked> {
    const lists = await Promise.all((await this.listIds()).map((id) => this.read(id)));
    const marker = await this.marker.read();
    if (lists.some((list) => !sameMarker(list.marker, marker))) throw new Error('the store marker changed during a full read; reading again');
    return { lists, marker };
  }

  async read(id: ListId): Promise<RawList & Marked> {
    const k = this.keys.list(id);
    // MULTI: the six reads see one state, never half of a write.
    const { values, marker } = await this.execMarked(
      this.client.multi().get(k.cidrs).get(k.enabled).hgetall(k.entries).get(k.rev).get(k.countries).get(k['countries:enabled']),
    );
    return {
      tenant: id.tenant,
      scope: id.scope,
      cidrs: values[0] as string | null,
      enabled: values[1] as string | null,
      entries: values[2] as Record<string, string>,
      rev: values[3] as string | null,
      countries: values[4] as string | null,
      countriesEnabled: values[5] as string | null,
      marker,
    };
  }

  async readDomains(): Promise<{ domains: Map<string, string> } & Marked> {
    const { values, marker } = await this.execMarked(this.client.multi().hgetall(this.keys.domains));
    const map = values[0] as Record<string, string>;
    return { domains: new Map(Object.entries(map).map(([domain, tenant]) => [domain.toLowerCase(), tenant])), marker };
  }

  async adopt(createdBy: string): Promise<MarkerSeen> {
    return (await this.marker.create(newMarker('auto', createdBy))).current;
  }

  async fingerprint(id: ListId): Promise<string> {
    const [print] = await fingerprintsOf(this.client, { lists: [this.keys.list(id)] });
    return print!;
  }

  /**
   * Every list's fingerprint in a few script calls sent at once (one round
   * trip after the SCAN), never a call per list. The marker is read last, as
   * in readAll: it only has to show a store that lost or replaced it; data is
   * applied from marked reads only.
   */
  async fingerprints(): Promise<{ fingerprints: Map<string, string> } & Marked> {
    const batches = this.fingerprintBatches(await this.listIds());
    const prints = await Promise.all(batches.map((ids) => fingerprintsOf(this.client, { lists: ids.map((id) => this.keys.list(id)) })));
    const byList = new Map<string, string>();
    batches.forEach((ids, b) => ids.forEach((id, i) => byList.set(listIdKey(id), prints[b]![i]!)));
    return { fingerprints: byList, marker: await this.marker.read() };
  }

  /** Up to FINGERPRINT_BATCH lists a call; under Cluster a call per tenant, since a script's keys must share a slot. */
  private fingerprintBatches(ids: readonly ListId[]): ListId[][] {
    if ('nodes' in this.client) {
      const byTenant = new Map<string, ListId[]>();
      for (const id of ids) {
        const tenant = byTenant.get(id.tenant);
        if (tenant) tenant.push(id);
        else byTenant.set(id.tenant, [id]);
      }
      return [...byTenant.values()];
    }
    const batches: ListId[][] = [];
    for (let first = 0; first < ids.length; first += FINGERPRINT_BATCH) batches.push(ids.slice(first, first + FINGERPRINT_BATCH));
    return batches;
  }

  async watch(events: SourceEvents): Promise<Watch> {
    // A subscriber queues its SUBSCRIBE until connected and re-subscribes by
    // itself after every reconnect (ioredis autoResubscribe).
    const subscriberOptions = { lazyConnect: false, enableOfflineQueue: true, maxRetriesPerRequest: null };
    const subscriber =
      'nodes' in this.client
        ? this.client.duplicate(undefined, {
            lazyConnect: false,
            enableOfflineQueue: true,
            redisOptions: { ...this.client.options.redisOptions, ...subscriberOptions },
          })
        : this.client.duplicate(subscriberOptions);
    const log = this.logger.child({ component: 'redis-subscriber' });
    let connectedBefore = false;
    subscriber.on('error', (err: Error) => log.debug({ err: err.message }, 'subscriber error'));
    subscriber.on('ready', () => {
      if (connectedBefore) {
        log.info('subscriber reconnected; reading every list again');
        events.resync();
      }
      connectedBefore = true;
    });
    subscriber.on('message', (channel: string, message: string) => {
      const id = parseChange(message);
      if (id === undefined) log.warn({ channel, message: message.slice(0, 200) }, 'ignored malformed change notification');
      else events.listChanged(id);
    });
    subscriber.on('pmessage', (_pattern: string, channel: string) => {
      const key = channel.slice(channel.indexOf(':') + 1);
      if (key === this.keys.domains) return events.domainsChanged();
      // Deleted, or replaced by `sipwarden store init --force`: judged on a full read at once.
      if (key === this.keys.store) return events.resync();
      const parsed = this.keys.parse(key);
      if (parsed !== undefined) events.listChanged(parsed);
    });
    // A failed SUBSCRIBE (an ACL without Pub/Sub) still lets the reads go on: reconciliation covers it.
    const subscribed = Promise.all([
      subscriber.subscribe(this.keys.changes),
      subscriber.psubscribe(`__keyspace@*__:${this.keys.prefix}:*`),
    ]).catch((err: Error) => log.warn({ err: err.message }, 'subscribe failed'));
    return {
      live: Promise.all([subscribed, whenReady(this.client)]).then(() => undefined),
      stop: async () => {
        subscriber.disconnect();
      },
    };
  }

  /**
   * Runs `tx` with a GET of the marker at its end. Under Cluster the marker
   * lives in another slot than the tenant's keys and a MULTI cannot span
   * slots: there the marker is read just after, which still shows a store
   * that lost it, though not atomically with the data (see README).
   */
  private async execMarked(tx: ChainableCommander): Promise<{ values: unknown[]; marker: MarkerSeen }> {
    if ('nodes' in this.client) {
      const values = await execValues(tx);
      return { values, marker: await this.marker.read() };
    }
    const values = await execValues(tx.get(this.keys.store));
    return { values: values.slice(0, -1), marker: markerSeen(values.at(-1) as string | null) };
  }

  /** Every list present, by SCAN (never KEYS), on every master of a cluster. */
  protected async listIds(): Promise<ListId[]> {
    const nodes = 'nodes' in this.client ? this.client.nodes('master') : [this.client];
    const ids = new Map<string, ListId>();
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', this.keys.listPattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        for (const key of keys) {
          const parsed = this.keys.parse(key);
          if (parsed !== undefined) ids.set(listIdKey(parsed), { tenant: parsed.tenant, scope: parsed.scope });
        }
      } while (cursor !== '0');
    }
    return [...ids.values()];
  }
}

async function execValues(tx: ChainableCommander): Promise<unknown[]> {
  const replies = await tx.exec();
  if (replies === null) throw new Error('read aborted');
  return replies.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

function whenReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

function parseChange(message: string): ListId | undefined {
  try {
    const { tenant, scope } = JSON.parse(message) as { tenant?: unknown; scope?: unknown };
    if (typeof tenant === 'string' && isValidTenant(tenant) && typeof scope === 'string' && isScope(scope)) {
      return { tenant, scope: scope as Scope };
    }
  } catch {
    // fall through: malformed
  }
  return undefined;
}
