/**
 * The address a request is judged by: the peer of the socket it arrived on,
 * or, behind a trusted proxy (an SBC, a WebSocket gateway), the client
 * address that proxy forwarded in a header.
 *
 * Anyone can write a forwarded-address header, so it is honoured only when
 * the request's own source is a configured trusted proxy; from anyone else it
 * is ignored and reported as a spoof attempt.
 */
import { CidrMatcher, parseCidrList } from '../policy/index.js';
import { headerFieldValues, isHeaderName } from './header-fields.js';

export const DEFAULT_FORWARDED_HEADER = 'X-Forwarded-For';

export interface ForwardingTrust {
  /** The proxies whose forwarded-address header is believed. */
  readonly proxies: CidrMatcher;
  /** Its name: comma-separated bare IP addresses, client first (X-Forwarded-For syntax). */
  readonly header: string;
}

export type ForwardingTrustResult =
  | { readonly ok: true; readonly trust: ForwardingTrust }
  | { readonly ok: false; readonly message: string };

/** `trustedProxies` is a CIDR list as the policy core parses it; empty trusts no one. */
export function compileForwardingTrust(trustedProxies: string, header: string = DEFAULT_FORWARDED_HEADER): ForwardingTrustResult {
  if (!isHeaderName(header)) return { ok: false, message: `forwarded-address header ${JSON.stringify(header)} is not a header name` };
  const parsed = parseCidrList(trustedProxies);
  if (!parsed.ok) return { ok: false, message: `trusted proxies: ${parsed.message}` };
  return { ok: true, trust: { proxies: CidrMatcher.compile(parsed.list), header } };
}

/** Honours no forwarded-address header from anyone. */
export const TRUST_NO_PROXY: ForwardingTrust = (() => {
  const result = compileForwardingTrust('');
  if (!result.ok) throw new Error(result.message);
  return result.trust;
})();

/** What the source resolution reads from a drachtio-srf request. */
export interface SourceFacts {
  readonly source_address: string;
  readonly source_port: number;
  /** The message as received. */
  readonly raw: string;
}

export interface RequestSource {
  /** The address the decision is made for. */
  readonly address: string;
  /** The peer port of the socket (a forwarded header carries no port). */
  readonly port: number;
  /** The trusted proxy that forwarded `address`, when the header was honoured. */
  readonly forwardedBy?: string;
  /** The forwarded-address header an untrusted source sent, ignored. */
  readonly spoofedHeader?: string;
}

const MAX_LOGGED_HEADER = 256;

/** Inside a trusted proxy entry; a malformed address is not (lookup gives NO_MATCH or BAD_ADDRESS, both negative). */
function isTrusted(proxies: CidrMatcher, address: string): boolean {
  return proxies.lookup(address) >= 0;
}

/**
 * Walks the forwarded chain from the right, past the trusted proxies, to the
 * first address no trusted proxy vouches for; if every hop is trusted, the
 * leftmost is the client. A malformed hop stops the walk and is returned as
 * is, so the policy core denies it as a bad source address: a broken chain
 * must not open the door.
 */
function clientOf(chain: readonly string[], proxies: CidrMatcher): string {
  for (let i = chain.length - 1; i > 0; i--) {
    const hop = chain[i]!;
    if (!isTrusted(proxies, hop)) return hop;
  }
  return chain[0]!;
}

export function sourceOf(request: SourceFacts, trust: ForwardingTrust): RequestSource {
  const own = { address: request.source_address, port: request.source_port };
  const values = headerFieldValues(request.raw, trust.header);
  if (values.length === 0) return own;
  if (!isTrusted(trust.proxies, request.source_address)) {
    const header = values.join(', ');
    return { ...own, spoofedHeader: header.length > MAX_LOGGED_HEADER ? `${header.slice(0, MAX_LOGGED_HEADER)}…` : header };
  }
  const chain = values.join(',').split(',').map((hop) => hop.trim());
  return { address: clientOf(chain, trust.proxies), port: request.source_port, forwardedBy: request.source_address };
}
