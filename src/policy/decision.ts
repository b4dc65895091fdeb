/**
 * The allow/deny decision for one source address against one scope's list.
 */
import { type CidrListResult, type CidrWarning, type TokenError, canonicalEntry, parseCidrList, writtenEntry } from './cidr-list.js';
import { BAD_ADDRESS, CidrMatcher, NO_MATCH } from './cidr-matcher.js';
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
  /** Entry descriptions keyed by canonical entry (`10.0.0.0/8`, `192.0.2.7`). */
  readonly descriptions: ReadonlyMap<string, string>;
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
  };
  return { ok: true, policy, warnings: parsed.warnings };
}

const DENY_BAD_SOURCE: Decision = Object.freeze({ allow: false, reason: 'bad-source-address' });
const ALLOW_DISABLED: Decision = Object.freeze({ allow: true, reason: 'scope-disabled' });
const DENY_NO_MATCH: Decision = Object.freeze({ allow: false, reason: 'no-match' });

/** The decision when no usable policy exists: deny. */
export const DENY_UNAVAILABLE: Decision = Object.freeze({ allow: false, reason: 'policy-unavailable' });

/**
 * Decides for `source`, an address as the transport reports it. A source that
 * is not an IP address is denied whatever the scope says: it means the caller
 * is broken, and a broken caller must not open the door.
 */
export function decide(policy: ScopePolicy, source: string): Decision {
  const slot = policy.matcher.lookup(source);
  if (slot === BAD_ADDRESS) return DENY_BAD_SOURCE;
  if (!policy.enabled) return ALLOW_DISABLED;
  const list = policy.matcher.list;
  if (list.length === 0) return { allow: EMPTY_LIST_ALLOWS[policy.scope], reason: 'empty-list' };
  if (slot === NO_MATCH) return DENY_NO_MATCH;
  const description = policy.descriptions.size > 0 ? policy.descriptions.get(canonicalEntry(list, slot)) : undefined;
  const value = writtenEntry(list, slot);
  return { allow: true, reason: 'matched', entry: description === undefined ? { value } : { value, description } };
}
