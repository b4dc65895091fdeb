/**
 * What the enforcement points (SIP edge, HTTP authorization endpoint) need
 * from the live policy cache, and nothing more.
 */
import type { NameStatus } from '../dns/index.js';
import type { Decision, Scope } from '../policy/index.js';

export interface PolicyView {
  /**
   * The decision for `source` under the tenant's scope. Never throws; while
   * nothing has been loaded, or the scope's only known list is malformed, it
   * denies with reason `policy-unavailable`. A tenant or scope with no
   * configuration at all is open (`scope-disabled`), like a switched-off list.
   */
  decide(tenant: string, scope: Scope, source: string): Decision;
  /** The tenant a SIP domain belongs to, from the domain map in the store; undefined if unmapped. */
  tenantForDomain(domain: string): string | undefined;
  /** True once the lists were loaded at least once (from the store or a snapshot). */
  readonly ready: boolean;
  /** Why the lists enforced may be out of date though loaded (`store-data-lost`); undefined when all is well. */
  readonly problem?: string | undefined;
  /**
   * What the DNS names of the enforced lists resolve to now, by name: the
   * addresses they allow, when they were last resolved, and their state
   * (`pending`, `resolved`, `grace`, `failed`). A decision through a name
   * says so in its entry (`entry.resolved`). Views that resolve no names
   * leave these out.
   */
  names?(): readonly NameStatus[];
  /** One name's resolution (canonical, lower case); undefined when no enforced list uses it. */
  nameStatus?(name: string): NameStatus | undefined;
}
