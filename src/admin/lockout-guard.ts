/**
 * The lockout guard: a change that takes away the admin's own access (their
 * address allowed before, denied after) is refused unless forced, in any
 * scope. Changing the `admin` scope without knowing the admin's address is
 * refused too, and where the change is made through the API, a lockout of the
 * caller from the `admin` scope cannot be forced at all.
 */
import { type CountryLookup, type Decision, NO_COUNTRY_DATA, NO_NAMES, type NameAddresses, type Scope, compileScopePolicy, decide } from '../policy/index.js';
import type { ListId } from '../store/keys.js';
import type { CountrySetting, EntryInput, ListState } from '../store/list-state.js';
import type { ListChange } from '../store/list-update.js';
import type { AdminFailure } from './admin-result.js';

/** Who makes a change, and how far the lockout guard may be overridden. */
export interface Actor {
  readonly name: string;
  /** The admin's own address: checked by the lockout guard, recorded in the audit log. */
  readonly address?: string;
  /** Override the lockout guard. */
  readonly force?: boolean;
  /**
   * Set by the HTTP API: locking the caller out of the `admin` scope would
   * end the very session making the change, so there it cannot be forced.
   */
  readonly adminLockoutIsFinal?: boolean;
}

/** A scope as the guard judges it: the list's switch and entries, and the country set beside them. */
export interface GuardedScope {
  readonly enabled: boolean;
  readonly entries: readonly EntryInput[];
  readonly countries?: CountrySetting;
}

/** What the guard decides with: the lists' names as resolved now, and the country data. */
export interface GuardContext {
  readonly names?: NameAddresses;
  readonly countries?: CountryLookup;
}

/**
 * The decision a scope would give the address, its names resolving as
 * `names` says (a name missing there matches nothing) and its country from
 * `countries`; undefined when it does not compile (validation reports that).
 */
export function decisionFor(scope: Scope, state: GuardedScope, address: string, context: GuardContext = {}): Decision | undefined {
  const active = state.entries.filter((e) => e.active);
  const list = active.map((e) => e.value.replaceAll(',', ' ')).join(',');
  const descriptions = new Map(active.flatMap((e) => (e.description ? [[e.value, e.description] as const] : [])));
  const countries = state.countries && { enabled: state.countries.enabled, codes: state.countries.codes.join(',') };
  const compiled = compileScopePolicy({ scope, enabled: state.enabled, list, descriptions, ...(countries && { countries }) });
  return compiled.ok ? decide(compiled.policy, address, context.names ?? NO_NAMES, context.countries ?? NO_COUNTRY_DATA) : undefined;
}

/** True when the guard needs the country data for this change: a country set is on before or after. */
export function countriesMatter(before: ListState, next: ListChange): boolean {
  return before.countries.enabled || next.countries?.enabled === true;
}

/**
 * The refusal of a change from `before` to `next` by `actor`, or undefined
 * when it may be made. A change to a list that already denied the admin (a
 * SIP list managed from a NOC, say) locks nobody out and passes. `names` is
 * what the lists' DNS names resolve to now: an admin allowed through a name
 * is protected like one allowed through an address, and a name that does not
 * resolve is not assumed to keep anyone in (fail closed). An admin allowed
 * by country is protected the same way: switching a country set on without
 * their country, or removing it, is a lockout.
 */
export function lockoutRefusal(id: ListId, before: ListState, next: ListChange, actor: Actor, context: GuardContext = {}): AdminFailure | undefined {
  const finalHere = actor.adminLockoutIsFinal === true && id.scope === 'admin';
  if (actor.address === undefined) {
    if (id.scope !== 'admin' || actor.force) return undefined;
    return { kind: 'lockout', message: 'changing the admin scope needs your own address to check you keep access: give --my-ip, or --force' };
  }
  const was = decisionFor(id.scope, { ...before, enabled: before.configured && before.enabled }, actor.address, context);
  const will = decisionFor(id.scope, { ...next, countries: next.countries ?? before.countries }, actor.address, context);
  if (was === undefined || will === undefined || !was.allow || will.allow) return undefined;
  if (actor.force && !finalHere) return undefined;
  const how = finalHere ? 'this API session would lose access; make the change from an address that stays allowed' : 'add it first, or force';
  return {
    kind: 'lockout',
    message: `refused: this change would deny your own address ${actor.address} in ${id.tenant}/${id.scope} (${will.reason}); ${how}`,
  };
}
