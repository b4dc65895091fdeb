/**
 * The access decision for one out-of-dialog SIP request: which listener it
 * came in on (hence transport and scope), who sent it, which tenant it
 * addresses, and what that tenant's list for the scope says about the sender.
 */
import { type DecisionReason, type MatchedEntry, type Scope } from '../policy/index.js';
import type { PolicyView } from '../store/policy-view.js';
import type { ListenerDirectory } from './listener-directory.js';
import { type ForwardingTrust, type RequestSource, sourceOf } from './request-source.js';
import type { SipRequest } from './sip-request.js';
import { type UnmappedDomainPolicy, requestDomain, resolveTenant } from './tenant.js';
import { type Transport, scopeOf } from './transport.js';

/**
 * Why a request was allowed or denied: the policy core's reasons, plus the
 * edge's own refusals before a list is consulted.
 * - `unknown-listener`: it arrived on a listener neither announced nor
 *   configured, so its scope is unknown.
 * - `unmapped-domain`: its domain maps to no tenant and such domains are rejected.
 * - `internal-error`: deciding failed; the edge fails closed.
 */
export type AccessReason = DecisionReason | 'unknown-listener' | 'unmapped-domain' | 'internal-error';

export interface AccessVerdict {
  readonly allow: boolean;
  readonly reason: AccessReason;
  readonly method: string;
  readonly transport?: Transport;
  readonly scope?: Scope;
  readonly tenant?: string;
  readonly domain?: string;
  readonly source: RequestSource;
  readonly entry?: MatchedEntry;
  /** The source's country, when the scope's country set is on and the data knows it (always with `country-allowed`). */
  readonly country?: string;
}

export interface AccessPolicy {
  readonly policy: PolicyView;
  readonly listeners: ListenerDirectory;
  readonly forwarding: ForwardingTrust;
  readonly unmappedDomain: UnmappedDomainPolicy;
}

/** Decides; throws only when the request object itself is broken (the caller fails closed). */
export function judge(request: SipRequest, access: AccessPolicy): AccessVerdict {
  const method = request.method;
  const source = sourceOf(request, access.forwarding);
  const transport = access.listeners.transportOf(request);
  if (transport === undefined) return { allow: false, reason: 'unknown-listener', method, source };
  const scope = scopeOf(transport);
  const tenancy = resolveTenant(requestDomain(request), access.policy, access.unmappedDomain);
  const known = { method, transport, scope, domain: tenancy.domain, source };
  if (!tenancy.ok) return { allow: false, reason: 'unmapped-domain', ...known };
  const decision = access.policy.decide(tenancy.tenant, scope, source.address);
  return {
    allow: decision.allow,
    reason: decision.reason,
    ...known,
    tenant: tenancy.tenant,
    entry: decision.entry,
    ...(decision.country !== undefined && { country: decision.country }),
  };
}
