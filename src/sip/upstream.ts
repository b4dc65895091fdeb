/**
 * Where allowed requests go: the operator's registrar/PBX, one by default and
 * optionally one per tenant.
 */
import Srf from 'drachtio-srf';

/** An upstream as configured: a SIP URI (`sip:pbx.example.com:5080;transport=tcp`) or `host[:port]`. */
export interface UpstreamConfig {
  readonly defaultUpstream: string;
  /** Tenant name to upstream, for tenants whose PBX is not the default one. */
  readonly tenantUpstreams?: Readonly<Record<string, string>>;
}

interface Upstream {
  readonly scheme: string;
  readonly host: string;
  readonly port?: number;
  readonly params: Readonly<Record<string, string | null>>;
  /** The upstream written as a SIP URI, once: most requests' destination is this as it is. */
  readonly uri: string;
}

export interface UpstreamTarget {
  /** The upstream, as a SIP URI (what `all()` lists). */
  readonly upstream: string;
  /** The proxy destination. */
  readonly destination: string;
}

export type UpstreamsResult = { readonly ok: true; readonly upstreams: Upstreams } | { readonly ok: false; readonly message: string };

function parseUpstream(text: string): Upstream | undefined {
  const uri = /^sips?:/i.test(text) ? text : `sip:${text}`;
  // parseUri returns undefined for what is not a SIP URI, whatever its typing says.
  const parsed: Srf.ParseUriResult | undefined = Srf.parseUri(uri);
  if (parsed?.host === undefined || parsed.host === '' || parsed.user !== undefined) return undefined;
  // parseUri gives NaN for an absent port.
  const port = Number(parsed.port);
  const fields = { scheme: parsed.scheme, host: parsed.host, params: parsed.params, ...(Number.isInteger(port) && port > 0 ? { port } : {}) };
  return { ...fields, uri: Srf.stringifyUri(fields) };
}

export class Upstreams {
  private constructor(
    private readonly fallback: Upstream,
    private readonly byTenant: ReadonlyMap<string, Upstream>,
  ) {}

  static compile(config: UpstreamConfig): UpstreamsResult {
    const fallback = parseUpstream(config.defaultUpstream);
    if (fallback === undefined) return { ok: false, message: `upstream ${JSON.stringify(config.defaultUpstream)} is not a SIP URI or host[:port] without a user part` };
    const byTenant = new Map<string, Upstream>();
    for (const [tenant, text] of Object.entries(config.tenantUpstreams ?? {})) {
      const upstream = parseUpstream(text);
      if (upstream === undefined) return { ok: false, message: `upstream ${JSON.stringify(text)} of tenant ${JSON.stringify(tenant)} is not a SIP URI or host[:port] without a user part` };
      byTenant.set(tenant, upstream);
    }
    return { ok: true, upstreams: new Upstreams(fallback, byTenant) };
  }

  /** Every distinct upstream, as a SIP URI. */
  all(): string[] {
    return [...new Set([this.fallback, ...this.byTenant.values()].map((upstream) => upstream.uri))];
  }

  /**
   * Where a request of `tenant` (undefined: the default upstream) goes.
   * `destination` is the upstream's address carrying the user part of the
   * Request-URI: drachtio-server keeps a Request-URI naming a foreign domain
   * and sends it to the destination as next hop, but replaces one that names
   * drachtio itself with the destination (RFC 3261 §16.5 retargeting); the
   * user part keeps the dialled number in both cases.
   */
  targetFor(tenant: string | undefined, requestUri: string): UpstreamTarget {
    const upstream = (tenant === undefined ? undefined : this.byTenant.get(tenant)) ?? this.fallback;
    // A user part ends in `@` (RFC 3261 §25.1, userinfo): without one there is nothing to carry, and no URI to parse.
    const user: string | undefined = requestUri.includes('@') ? Srf.parseUri(requestUri)?.user : undefined;
    const { scheme, host, port, params } = upstream;
    return { upstream: upstream.uri, destination: user === undefined ? upstream.uri : Srf.stringifyUri({ scheme, host, port, params, user }) };
  }
}
