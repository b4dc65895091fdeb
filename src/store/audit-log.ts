/**
 * The audit log: who changed which list, when, from where, and how. Records
 * are pushed by the same Lua script as the change itself, so a change is never
 * without its record; each tenant keeps its newest AUDIT_LENGTH records.
 */
import type { KeySchema, ListId } from './keys.js';
import type { CountrySetting, ListEntry, ListState } from './list-state.js';
import type { RedisClient } from './redis-connection.js';

export const AUDIT_LENGTH = 1000;
/** Lists longer than this are summarized by count and diff, not copied into every record. */
const MAX_CIDRS_IN_RECORD = 4096;
const MAX_DIFF_VALUES = 100;

export interface AuditContext {
  /** What was done: `add`, `replace`, `bulk-disable`, … */
  readonly action: string;
  /** The admin's address, when known. */
  readonly address?: string;
}

export interface ListSummary {
  readonly enabled: boolean;
  /** Active entries. */
  readonly active: number;
  readonly inactive: number;
  /** The enforced string, when short enough. */
  readonly cidrs?: string;
  /** The country set (`DE,FR`) and its switch, when the scope has one or had one. */
  readonly countries?: string;
  readonly countriesEnabled?: boolean;
}

export interface AuditRecord extends ListId {
  readonly at: string;
  readonly actor: string;
  readonly address?: string;
  readonly action: string;
  /** The list's revision after the change. */
  readonly rev?: number;
  /** Null for a write made without reading the list first. */
  readonly before: ListSummary | null;
  readonly after: ListSummary;
  /** Entries made active, and active entries removed or made inactive (at most 100 each). */
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly truncated: boolean;
}

/** What a record says of a list: its counts, its string when short, its country set when it has one. */
interface Summarised {
  readonly enabled: boolean;
  readonly entries: readonly ListEntry[];
  readonly countries?: CountrySetting;
}

function summary({ enabled, entries, countries }: Summarised): ListSummary {
  const active = entries.filter((e) => e.active).map((e) => e.value);
  const cidrs = active.join(',');
  const hasCountries = countries !== undefined && (countries.enabled || countries.codes.length > 0);
  return {
    enabled,
    active: active.length,
    inactive: entries.length - active.length,
    ...(cidrs.length <= MAX_CIDRS_IN_RECORD && { cidrs }),
    ...(hasCountries && { countries: countries.codes.join(','), countriesEnabled: countries.enabled }),
  };
}

export function auditRecord(
  id: ListId,
  base: ListState | undefined,
  next: Summarised,
  context: AuditContext,
  actor: string,
  at: string,
): AuditRecord {
  const activeBefore = new Set(base?.entries.filter((e) => e.active).map((e) => e.value));
  const activeAfter = new Set(next.entries.filter((e) => e.active).map((e) => e.value));
  const added = [...activeAfter].filter((v) => !activeBefore.has(v));
  const removed = [...activeBefore].filter((v) => !activeAfter.has(v));
  return {
    tenant: id.tenant,
    scope: id.scope,
    at,
    actor,
    ...(context.address !== undefined && { address: context.address }),
    action: context.action,
    before: base === undefined ? null : summary(base),
    after: summary(next),
    added: added.slice(0, MAX_DIFF_VALUES),
    removed: removed.slice(0, MAX_DIFF_VALUES),
    truncated: added.length > MAX_DIFF_VALUES || removed.length > MAX_DIFF_VALUES,
  };
}

/**
 * A record as documented. Before commit.lua put `rev` in as text, it decoded
 * and encoded every record with cjson, which writes an empty array as `{}`:
 * records from then (a tenant keeps its newest 1,000) still read with arrays.
 */
function asRecord(parsed: AuditRecord): AuditRecord {
  const { added, removed } = parsed;
  if (Array.isArray(added) && Array.isArray(removed)) return parsed;
  return { ...parsed, added: Array.isArray(added) ? added : [], removed: Array.isArray(removed) ? removed : [] };
}

/** The audit log in Redis: written by commit.lua with each change, read here. */
export class RedisAuditLog {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: KeySchema,
  ) {}

  /** The tenant's newest records first. Records that do not parse are skipped. */
  async read(tenant: string, limit = AUDIT_LENGTH): Promise<AuditRecord[]> {
    const lines = await this.client.lrange(this.keys.audit(tenant), 0, limit - 1);
    return lines.flatMap((line) => {
      try {
        return [asRecord(JSON.parse(line) as AuditRecord)];
      } catch {
        return [];
      }
    });
  }
}
