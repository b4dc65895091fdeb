/**
 * The record of who the edges denied, per tenant (issue 14), in Redis: each
 * edge adds up an interval's denied sources with one script call per tenant
 * (record-denied.lua), bounded to the newest `maxSources` sources of a
 * tenant and expiring `ttlSeconds` after the last denial recorded. The admin
 * tools read it (`sipwarden denied`, GET …/denied) and forget a source once
 * an admin allows it.
 */
import { isScope, type Scope } from '../policy/index.js';
import type { KeySchema } from './keys.js';
import type { RedisClient } from './redis-connection.js';
import { recordDenied } from './redis-scripts.js';

/** A source's denials: how many, first and last (ms since the epoch), and what the last one was. */
export interface DeniedSource {
  readonly tenant: string;
  readonly scope: Scope;
  readonly address: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly method: string;
  /** udp, tcp, tls, ws or wss. */
  readonly transport: string;
  readonly userAgent?: string;
  /** The domain the request was for. */
  readonly domain?: string;
}

export interface DeniedBounds {
  /** Sources kept per tenant; past it the least recently denied are dropped. */
  readonly maxSources: number;
  /** Seconds a tenant's record lives after its last denial. */
  readonly ttlSeconds: number;
}

export const DEFAULT_DENIED_BOUNDS: DeniedBounds = { maxSources: 1000, ttlSeconds: 7 * 24 * 3600 };

export type DeniedOrder = 'recent' | 'busiest';

export interface DeniedQuery {
  readonly scope?: Scope;
  readonly order?: DeniedOrder;
  readonly limit?: number;
}

const fieldOf = (scope: Scope, address: string) => `${scope}/${address}`;

/** A stored row, or undefined for one that is not (written by hand): the view skips it. */
function sourceOf(tenant: string, field: string, json: string): DeniedSource | undefined {
  const slash = field.indexOf('/');
  const scope = field.slice(0, slash);
  if (slash < 0 || !isScope(scope)) return undefined;
  let row: Record<string, unknown>;
  try {
    row = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { count, firstSeen, lastSeen, method, transport, userAgent, domain } = row;
  if (typeof count !== 'number' || typeof firstSeen !== 'number' || typeof lastSeen !== 'number' || typeof method !== 'string' || typeof transport !== 'string') return undefined;
  return {
    tenant,
    scope,
    address: field.slice(slash + 1),
    count,
    firstSeen,
    lastSeen,
    method,
    transport,
    ...(typeof userAgent === 'string' && { userAgent }),
    ...(typeof domain === 'string' && { domain }),
  };
}

export class RedisDeniedLog {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
    private readonly bounds: DeniedBounds = DEFAULT_DENIED_BOUNDS,
  ) {}

  /** Adds an interval's rows, one script call per tenant. */
  async add(rows: readonly DeniedSource[]): Promise<void> {
    const byTenant = new Map<string, string[]>();
    for (const { tenant, scope, address, ...row } of rows) {
      let json = byTenant.get(tenant);
      if (json === undefined) byTenant.set(tenant, (json = []));
      json.push(JSON.stringify({ field: fieldOf(scope, address), ...row }));
    }
    await Promise.all(
      [...byTenant].map(([tenant, json]) => recordDenied(this.client, { keys: this.keys.denied(tenant), rows: json, maxSources: this.bounds.maxSources, ttlSeconds: this.bounds.ttlSeconds })),
    );
  }

  /** The tenant's denied sources, newest (default) or busiest first. */
  async read(tenant: string, query: DeniedQuery = {}): Promise<DeniedSource[]> {
    const stored = await this.client.hgetall(this.keys.denied(tenant).sources);
    const sources = Object.entries(stored).flatMap(([field, json]) => {
      const source = sourceOf(tenant, field, json);
      return source === undefined || (query.scope !== undefined && source.scope !== query.scope) ? [] : [source];
    });
    const busiest = query.order === 'busiest';
    sources.sort((a, b) => (busiest ? b.count - a.count : 0) || b.lastSeen - a.lastSeen || a.address.localeCompare(b.address));
    return query.limit === undefined ? sources : sources.slice(0, query.limit);
  }

  /** Drops a source from the record (an admin allowed it); true when it was there. */
  async forget(tenant: string, scope: Scope, address: string): Promise<boolean> {
    const keys = this.keys.denied(tenant);
    const field = fieldOf(scope, address);
    const [[, removed]] = (await this.client.multi().hdel(keys.sources, field).zrem(keys.seen, field).exec()) as [[unknown, number], unknown];
    return removed === 1;
  }
}
