/**
 * The allow/deny decision for one source address against one scope's list.
 *
 * A list's addresses and blocks are looked up first (the most specific one
 * containing the source wins); only when none does are its DNS names
 * consulted, through what they resolve to now (a NameAddresses, kept by the
 * edge's resolver). So names cost nothing to a source an address entry
 * allows, one map lookup to any other, and a name that resolves to nothing
 * (never resolved, or dropped after failing) allows nothing.
 */
import { type CidrList, type CidrListResult, type CidrWarning, NAME_ENTRY, type TokenError, canonicalEntry, parseCidrList, writtenEntry } from './cidr-list.js';
import { CidrMatcher, NO_MATCH } from './cidr-matcher.js';
import { ADDRESS_WORDS, parseAddress } from './ip-address.js';
import { type NameAddresses, type NameHolder, NO_NAMES } from './name-table.js';
import { EMPTY_LIST_ALLOWS, type Scope } from './scope.js';

/**
 * Why a decision went the way it did. `policy-unavailable` is the fail-closed
 * answer when no valid list is known for the scope (nothing loaded yet, or
 * only malformed data): the caller could not decide, so it denies.
 */
export type DecisionReason =
  | 'scope-disabled'
  | 'matched'
  | 'no-match'
  | 'empty-list'
  | 'bad-source-address'
  | 'policy-unavailable';

export interface MatchedEntry {
  /** The entry as written in the list. */
  readonly value: string;
  readonly description?: string;
  /**
   * Present only when the entry is a DNS name: the name (canonical, lower
   * case) and which of the addresses it resolves to now is the source.
   */
  readonly resolved?: NameHolder;
}

export interface Decision {
  readonly allow: boolean;
  readonly reason: DecisionReason;
  /** The most specific entry that matched, when reason is `matched`. */
  readonly entry?: MatchedEntry;
}

/** One scope's list, compiled for lookups. */
export interface ScopePolicy {
  readonly scope: Scope;
  readonly enabled: boolean;
  readonly matcher: CidrMatcher;
  /** Entry descriptions keyed by canonical entry (`10.0.0.0/8`, `192.0.2.7`, `agent7.example.net`). */
  readonly descriptions: ReadonlyMap<string, string>;
  /** The list's DNS names (canonical) -> slot of the first entry naming it; empty for a list without names. */
  readonly names: ReadonlyMap<string, number>;
}

export interface ScopePolicyInput {
  readonly scope: Scope;
  readonly enabled: boolean;
  /** The enforced list: comma-separated CIDRs of the active entries. */
  readonly list: string;
  readonly descriptions?: ReadonlyMap<string, string>;
}

export type ScopePolicyResult =
  | { readonly ok: true; readonly policy: ScopePolicy; readonly warnings: readonly CidrWarning[] }
  | { readonly ok: false; readonly errors: readonly TokenError[]; readonly message: string };

export function compileScopePolicy(input: ScopePolicyInput): ScopePolicyResult {
  const parsed: CidrListResult = parseCidrList(input.list);
  if (!parsed.ok) return parsed;
  const policy: ScopePolicy = {
    scope: input.scope,
    enabled: input.enabled,
    matcher: CidrMatcher.compile(parsed.list),
    descriptions: input.descriptions ?? new Map(),
    names: namesOf(parsed.list),
  };
  return { ok: true, policy, warnings: parsed.warnings };
}

const NO_NAME_ENTRIES: ReadonlyMap<string, number> = new Map();

/** Canonical name -> first slot, for the list's name entries. */
function namesOf(list: CidrList): ReadonlyMap<string, number> {
  const first = list.families.indexOf(NAME_ENTRY);
  if (first < 0) return NO_NAME_ENTRIES;
  const names = new Map<string, number>();
  for (let slot = first; slot < list.length; slot++) {
    if (list.families[slot] !== NAME_ENTRY) continue;
    const name = canonicalEntry(list, slot);
    if (!names.has(name)) names.set(name, slot);
  }
  return names;
}

const scratch = new Uint32Array(ADDRESS_WORDS);

const DENY_BAD_SOURCE: Decision = Object.freeze({ allow: false, reason: 'bad-source-address' });
const ALLOW_DISABLED: Decision = Object.freeze({ allow: true, reason: 'scope-disabled' });
const DENY_NO_MATCH: Decision = Object.freeze({ allow: false, reason: 'no-match' });

/** The decision when no usable policy exists: deny. */
export const DENY_UNAVAILABLE: Decision = Object.freeze({ allow: false, reason: 'policy-unavailable' });

/**
 * Decides for `source`, an address as the transport reports it, with `names`
 * saying what the list's DNS names resolve to now (none by default). A source
 * that is not an IP address is denied whatever the scope says: it means the
 * caller is broken, and a broken caller must not open the door.
 */
export function decide(policy: ScopePolicy, source: string, names: NameAddresses = NO_NAMES): Decision {
  const family = parseAddress(source, scratch);
  if (family === 0) return DENY_BAD_SOURCE;
  if (!policy.enabled) return ALLOW_DISABLED;
  const list = policy.matcher.list;
  if (list.length === 0) return { allow: EMPTY_LIST_ALLOWS[policy.scope], reason: 'empty-list' };
  const slot = policy.matcher.lookupParsed(family, scratch);
  if (slot !== NO_MATCH) return matched(policy, slot);
  if (policy.names.size === 0) return DENY_NO_MATCH;
  return matchedByName(policy, names.holdersAt(family, scratch)) ?? DENY_NO_MATCH;
}

function matched(policy: ScopePolicy, slot: number, resolved?: MatchedEntry['resolved']): Decision {
  const list = policy.matcher.list;
  const description = policy.descriptions.size > 0 ? policy.descriptions.get(resolved?.name ?? canonicalEntry(list, slot)) : undefined;
  const value = writtenEntry(list, slot);
  let entry: MatchedEntry;
  if (resolved === undefined) entry = description === undefined ? { value } : { value, description };
  else entry = description === undefined ? { value, resolved } : { value, description, resolved };
  return { allow: true, reason: 'matched', entry };
}

/** The decision through the first written of the list's names among those holding the source, if any. */
function matchedByName(policy: ScopePolicy, holders: readonly NameHolder[] | undefined): Decision | undefined {
  if (holders === undefined) return undefined;
  let slot = -1;
  let found: NameHolder | undefined;
  for (const holder of holders) {
    const at = policy.names.get(holder.name);
    if (at !== undefined && (slot < 0 || at < slot)) {
      slot = at;
      found = holder;
    }
  }
  return found === undefined ? undefined : matched(policy, slot, found);
}
