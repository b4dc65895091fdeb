/**
 * The Redis key schema. Every key of a tenant carries the tenant inside a
 * Redis Cluster hash tag, `{tenant}`, so all of one tenant's keys live in one
 * slot and a multi-key update stays atomic under Cluster.
 *
 *   {prefix}:{tenant}:{scope}:cidrs     string  the enforced list: the active entries (addresses, blocks, DNS names), comma-separated
 *   {prefix}:{tenant}:{scope}:enabled   string  "1" on, "0" off; absent: on when the cidrs key exists
 *   {prefix}:{tenant}:{scope}:entries   hash    canonical entry -> JSON metadata (description, active, times, authors)
 *   {prefix}:{tenant}:{scope}:rev       string  revision, incremented by every write through sipwarden
 *   {prefix}:{tenant}:{scope}:countries          string  allowed countries, ISO 3166-1 alpha-2, comma-separated ("DE,FR")
 *   {prefix}:{tenant}:{scope}:countries:enabled  string  "1" on, "0" off; absent: on when the countries key exists
 *   {prefix}:{tenant}:audit             list    newest-first JSON audit records of the tenant's changes, bounded
 *   {prefix}:{tenant}:denied            hash    "scope/address" -> JSON {count, firstSeen, lastSeen, method, transport, userAgent, domain}: sources the edges denied, bounded, expiring
 *   {prefix}:{tenant}:denied:seen       zset    "scope/address" scored by last denial (ms): which to drop past the bound
 *   {prefix}:domains                    hash    SIP domain -> tenant
 *   {prefix}:tokens                     hash    admin API token id -> JSON {tenant, name, SHA-256 of the secret, …}
 *   {prefix}:{bans}                     set     addresses banned (auto-ban), in the form drachtio-server's blacklist reads
 *   {prefix}:{bans}:until               zset    banned address scored by its ban's expiry (ms): set members have no TTL
 *   {prefix}:{bans}:info                hash    banned address -> JSON {at, until, reason, tenant, scope, denials, by}
 *   {prefix}:changes                    channel JSON {"tenant","scope","rev"} published after each write
 *   {prefix}:store                      string  the store marker, JSON {id, createdAt, createdBy, kind} (store-marker.ts)
 */
import { type Scope, isScope } from '../policy/index.js';

export const DEFAULT_PREFIX = 'sipwarden';

/** The tenant the CLI works on when none is named, and whose lists judge SIP domains mapped to no tenant. */
export const DEFAULT_TENANT = 'default';

/** The parts of one list, by key kind. */
export const LIST_KEY_KINDS = ['cidrs', 'enabled', 'entries', 'rev', 'countries', 'countries:enabled'] as const;
export type ListKeyKind = (typeof LIST_KEY_KINDS)[number];

export type ListKeys = Readonly<Record<ListKeyKind, string>>;

/** Tenant names: what a SIP domain or account id may hold, and nothing that could break a key or a hash tag. */
const TENANT = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,252}$/;

export function isValidTenant(tenant: string): boolean {
  return TENANT.test(tenant);
}

export interface ListId {
  readonly tenant: string;
  readonly scope: Scope;
}

export function listIdKey(id: ListId): string {
  return `${id.tenant}\u0000${id.scope}`;
}

export class KeySchema {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    if (prefix.includes('{') || prefix.includes('}')) throw new Error(`key prefix ${JSON.stringify(prefix)} must not contain { or }`);
  }

  list(id: ListId): ListKeys {
    const base = `${this.prefix}:{${id.tenant}}:${id.scope}`;
    return {
      cidrs: `${base}:cidrs`,
      enabled: `${base}:enabled`,
      entries: `${base}:entries`,
      rev: `${base}:rev`,
      countries: `${base}:countries`,
      'countries:enabled': `${base}:countries:enabled`,
    };
  }

  audit(tenant: string): string {
    return `${this.prefix}:{${tenant}}:audit`;
  }

  /** The sources the edges denied for a tenant, and their order by last denial. */
  denied(tenant: string): { readonly sources: string; readonly seen: string } {
    return { sources: `${this.prefix}:{${tenant}}:denied`, seen: `${this.prefix}:{${tenant}}:denied:seen` };
  }

  /** The ban list: the set of banned addresses and, in the same slot, their expiries and descriptions. */
  get bans(): { readonly set: string; readonly until: string; readonly info: string } {
    const set = `${this.prefix}:{bans}`;
    return { set, until: `${set}:until`, info: `${set}:info` };
  }

  get tokens(): string {
    return `${this.prefix}:tokens`;
  }

  /** A console session, by the SHA-256 of its id (the id itself is only in the browser's cookie). */
  session(digest: string): string {
    return `${this.prefix}:session:${digest}`;
  }

  get domains(): string {
    return `${this.prefix}:domains`;
  }

  get changes(): string {
    return `${this.prefix}:changes`;
  }

  /** The store marker: no hash tag, so under Cluster it shares no slot with a tenant's keys. */
  get store(): string {
    return `${this.prefix}:store`;
  }

  /** SCAN pattern that finds every list key. */
  get listPattern(): string {
    return `${this.prefix}:{*}:*`;
  }

  /** The list a key belongs to, or undefined for any other key. */
  parse(key: string): (ListId & { kind: ListKeyKind }) | undefined {
    const head = `${this.prefix}:{`;
    if (!key.startsWith(head)) return undefined;
    const close = key.indexOf('}:', head.length);
    if (close < 0) return undefined;
    const tenant = key.slice(head.length, close);
    const [scope, ...parts] = key.slice(close + 2).split(':');
    // Every kind is one part but `countries:enabled`.
    const kind = parts.join(':');
    if (scope === undefined || parts.length === 0 || parts.length > 2) return undefined;
    if (!isValidTenant(tenant) || !isScope(scope) || !(LIST_KEY_KINDS as readonly string[]).includes(kind)) return undefined;
    return { tenant, scope, kind: kind as ListKeyKind };
  }
}
