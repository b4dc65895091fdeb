/**
 * Reads lists from Redis for the live cache and follows their changes:
 * sipwarden's own change channel, keyspace notifications for hand-made writes
 * (where the server has `notify-keyspace-events` with K and $/h/g), and a
 * resync whenever the subscriber reconnects, since Pub/Sub loses what was
 * published while it was away.
 */
import type { Logger } from 'pino';
import { type Scope, isScope } from '../policy/index.js';
import { type KeySchema, type ListId, isValidTenant, listIdKey } from './keys.js';
import type { ListSource, SourceEvents } from './list-source.js';
import type { RawList } from './raw-list.js';
import type { RedisClient } from './redis-connection.js';
import { FINGERPRINT_LUA } from './redis-scripts.js';

const SCAN_COUNT = 1000;
const SUBSCRIBE_WAIT_MS = 2000;

export class RedisListSource implements ListSource {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
    private readonly logger: Logger,
  ) {}

  async readAll(): Promise<RawList[]> {
    return Promise.all((await this.listIds()).map((id) => this.read(id)));
  }

  async read(id: ListId): Promise<RawList> {
    const k = this.keys.list(id);
    // MULTI: the four reads see one state, never half of a write.
    const replies = await this.client.multi().get(k.cidrs).get(k.enabled).hgetall(k.entries).get(k.rev).exec();
    if (replies === null) throw new Error('read of list aborted');
    const values = replies.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    return {
      tenant: id.tenant,
      scope: id.scope,
      cidrs: values[0] as string | null,
      enabled: values[1] as string | null,
      entries: values[2] as Record<string, string>,
      rev: values[3] as string | null,
    };
  }

  async readDomains(): Promise<Map<string, string>> {
    const map = await this.client.hgetall(this.keys.domains);
    return new Map(Object.entries(map).map(([domain, tenant]) => [domain.toLowerCase(), tenant]));
  }

  async fingerprint(id: ListId): Promise<string> {
    const k = this.keys.list(id);
    return this.client.eval(FINGERPRINT_LUA, 4, k.cidrs, k.enabled, k.rev, k.entries) as Promise<string>;
  }

  async fingerprints(): Promise<Map<string, string>> {
    const ids = await this.listIds();
    const prints = await Promise.all(ids.map((id) => this.fingerprint(id)));
    return new Map(ids.map((id, i) => [listIdKey(id), prints[i]!]));
  }

  async watch(events: SourceEvents): Promise<() => Promise<void>> {
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
      const parsed = this.keys.parse(key);
      if (parsed !== undefined) events.listChanged(parsed);
    });
    // Subscribed before the first load, no change can slip between the two;
    // with Redis down, stop waiting after a while: the resync on reconnect covers it.
    const subscribed = Promise.all([
      subscriber.subscribe(this.keys.changes),
      subscriber.psubscribe(`__keyspace@*__:${this.keys.prefix}:*`),
    ]).catch((err: Error) => log.warn({ err: err.message }, 'subscribe failed'));
    await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, SUBSCRIBE_WAIT_MS).unref())]);
    return async () => {
      subscriber.disconnect();
    };
  }

  /** Every list present, by SCAN (never KEYS), on every master of a cluster. */
  private async listIds(): Promise<ListId[]> {
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
