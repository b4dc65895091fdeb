/**
 * The tenant a request belongs to, from the SIP domain it addresses.
 */
import Srf from 'drachtio-srf';
import { DEFAULT_TENANT } from '../store/keys.js';
import type { PolicyView } from '../store/policy-view.js';
import { type HeaderFacts, parsedTo } from './header-value.js';

/** The tenant of unmapped domains when they are not rejected. */
export { DEFAULT_TENANT };

/**
 * What a domain that maps to no tenant gets: the `default` tenant's lists, or
 * a 403 like any other refusal. The edge answers 403 rather than 404 (RFC
 * 3261 §21.4.4) so that a scanner cannot tell served domains from unserved
 * ones by the status.
 */
export type UnmappedDomainPolicy = 'default' | 'reject';

export const UNMAPPED_DOMAIN_POLICIES = ['default', 'reject'] as const satisfies readonly UnmappedDomainPolicy[];
/** Unmapped domains are judged by the `default` tenant's lists unless configured otherwise. */
export const DEFAULT_UNMAPPED_DOMAIN: UnmappedDomainPolicy = 'default';

export interface DomainFacts extends HeaderFacts {
  readonly method: string;
  readonly uri: string;
}

function hostOf(uri: string): string | undefined {
  // parseUri returns undefined for what is not a SIP URI, whatever its typing says.
  const parsed: Srf.ParseUriResult | undefined = Srf.parseUri(uri);
  const host = parsed?.host;
  return host === undefined || host === '' ? undefined : host.toLowerCase();
}

/**
 * The domain a request addresses, lower-cased (host names compare
 * case-insensitively, RFC 3261 §19.1.4). A REGISTER names the address of
 * record in To (§10.2: the Request-URI only names the registrar); any other
 * request names its target in the Request-URI (§16.4). Undefined for a URI
 * without a host, such as tel: (RFC 3966).
 */
export function requestDomain(request: DomainFacts): string | undefined {
  if (domains.has(request)) return domains.get(request);
  const uri = request.method === 'REGISTER' ? parsedTo(request).uri : request.uri;
  const domain = hostOf(uri);
  domains.set(request, domain);
  return domain;
}

/**
 * Each request's domain, found once: the access filter and the forwarder
 * both need it, and finding it means parsing To and the URI in it. A request's
 * headers do not change while the edge holds it.
 */
const domains = new WeakMap<DomainFacts, string | undefined>();

export type TenantResult =
  | { readonly ok: true; readonly tenant: string; readonly domain: string | undefined }
  | { readonly ok: false; readonly domain: string | undefined };

export function resolveTenant(domain: string | undefined, policy: PolicyView, unmapped: UnmappedDomainPolicy): TenantResult {
  const tenant = domain === undefined ? undefined : policy.tenantForDomain(domain);
  if (tenant !== undefined) return { ok: true, tenant, domain };
  return unmapped === 'default' ? { ok: true, tenant: DEFAULT_TENANT, domain } : { ok: false, domain };
}
