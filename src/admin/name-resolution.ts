/**
 * What the DNS names of a list resolve to, for the admin tools: they have no
 * edge cache, so they resolve the names they show (or check, or guard) once,
 * with the configured resolver and a short timeout. DNS failing never fails
 * the command: the name shows as failed, and matches nothing (fail closed).
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { DNS_DEFAULTS, type NameResolverSettings, type NameState, type NameStatus, resolveOnce } from '../dns/index.js';
import { NO_NAMES, type NameAddresses, isDnsName } from '../policy/index.js';
import type { EntryInput, ListEntry } from '../store/list-state.js';

/** An admin command waits at most this long per DNS query try. */
export const ADMIN_DNS_TIMEOUT_MS = 1000;

/** A name entry's resolution as the admin tools show it. */
export interface Resolution {
  readonly state: NameState;
  /** The addresses it resolves to now (canonical, IPv4 first). */
  readonly addresses: readonly string[];
  /** When a resolution last answered (ISO 8601); absent if none did. */
  readonly resolvedAt?: string;
  /** While failing: what (`nxdomain`, `A timeout, AAAA servfail`) and since when. */
  readonly failure?: string;
  readonly failingSince?: string;
}

export type ShownEntry = ListEntry & { readonly resolution?: Resolution };

export interface Resolved {
  readonly table: NameAddresses;
  readonly resolutions: ReadonlyMap<string, Resolution>;
}

export const NOTHING_RESOLVED: Resolved = { table: NO_NAMES, resolutions: new Map() };

/** Resolves names once: resolveOnce with the configured settings, or a stand-in. */
export type NameLookup = (names: readonly string[]) => Promise<Resolved>;

export const isNameValue = (value: string): boolean => isDnsName(value, 0, value.length);

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function resolutionOf(status: NameStatus): Resolution {
  return {
    state: status.state,
    addresses: status.addresses,
    ...(status.resolvedAt !== undefined && { resolvedAt: iso(status.resolvedAt) }),
    ...(status.failure !== undefined && { failure: status.failure }),
    ...(status.failingSince !== undefined && { failingSince: iso(status.failingSince) }),
  };
}

/** A NameLookup on the configured resolver settings, with at most ADMIN_DNS_TIMEOUT_MS per try. */
export function dnsLookup(settings: NameResolverSettings = DNS_DEFAULTS, logger: Logger = pino({ level: 'silent' })): NameLookup {
  const timeoutMs = Math.min(settings.timeoutMs, ADMIN_DNS_TIMEOUT_MS);
  return async (names) => {
    if (names.length === 0) return NOTHING_RESOLVED;
    try {
      const { table, statuses } = await resolveOnce(names, { ...settings, timeoutMs, logger });
      return { table, resolutions: new Map(statuses.map((s) => [s.name, resolutionOf(s)])) };
    } catch (err) {
      // A resolver that cannot even start resolves nothing: every name failed.
      const failure = (err as Error).message;
      return { table: NO_NAMES, resolutions: new Map(names.map((name) => [name, { state: 'failed', addresses: [], failure } as const])) };
    }
  };
}

/** The distinct names among the active entries (or all, with `all`). */
export function namesOf(entries: readonly EntryInput[], all = false): string[] {
  return [...new Set(entries.filter((e) => (all || e.active) && isNameValue(e.value)).map((e) => e.value))];
}

/** The entries, each name entry with its resolution. */
export function withResolutions(entries: readonly ListEntry[], resolved: Resolved): ShownEntry[] {
  return entries.map((e) => {
    const resolution = resolved.resolutions.get(e.value);
    return resolution === undefined ? e : { ...e, resolution };
  });
}
