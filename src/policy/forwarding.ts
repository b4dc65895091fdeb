/**
 * Which address a request is judged by when proxies stand in front: the
 * peer's own address, or the client address a trusted proxy forwarded in an
 * X-Forwarded-For-style header (comma-separated addresses, client first).
 * Shared by the SIP edge and the HTTP endpoints.
 *
 * Anyone can write such a header, so it is believed only when the peer is a
 * trusted proxy; from anyone else it is ignored and reported as a spoof
 * attempt. In the chain, the rightmost hop no trusted proxy stands for is the
 * client: hops to its left were written by the client itself. A malformed hop
 * is returned as is, so the decision denies it as a bad source address.
 */
import { parseCidrList } from './cidr-list.js';
import { CidrMatcher } from './cidr-matcher.js';
import { canonicalAddress } from './ip-address.js';

export const DEFAULT_FORWARDED_HEADER = 'X-Forwarded-For';

export interface ForwardingTrust {
  /** The proxies whose forwarded-address header is believed. */
  readonly proxies: CidrMatcher;
  /** The header's name, as configured. */
  readonly header: string;
}

export type ForwardingTrustResult = { readonly ok: true; readonly trust: ForwardingTrust } | { readonly ok: false; readonly message: string };

/** The characters a header name may use: RFC 3261 §25.1 token (RFC 9110 §5.6.2 allows a superset). */
const HEADER_NAME = /^[A-Za-z0-9.!%*_+`'~-]+$/;
const MAX_LOGGED_HEADER = 256;

/** `trustedProxies` is a CIDR list; empty trusts no one. */
export function compileForwardingTrust(trustedProxies: string, header: string = DEFAULT_FORWARDED_HEADER): ForwardingTrustResult {
  if (!HEADER_NAME.test(header)) return { ok: false, message: `forwarded-address header ${JSON.stringify(header)} is not a header name` };
  const parsed = parseCidrList(trustedProxies);
  if (!parsed.ok) return { ok: false, message: `trusted proxies: ${parsed.message}` };
  return { ok: true, trust: { proxies: CidrMatcher.compile(parsed.list), header } };
}

/** Believes no forwarded-address header from anyone. */
export const TRUST_NO_PROXY: ForwardingTrust = (() => {
  const result = compileForwardingTrust('');
  if (!result.ok) throw new Error(result.message);
  return result.trust;
})();

export interface ResolvedSource {
  /** The address the decision is made for. */
  readonly address: string;
  /** The trusted proxy that forwarded `address`, when the header was believed. */
  readonly forwardedBy?: string;
  /** A forwarded-address header sent by an untrusted peer, ignored (shortened for logs). */
  readonly ignoredHeader?: string;
}

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) as `192.0.2.1`; text that is no address as is. */
const normalized = (address: string): string => canonicalAddress(address) ?? address;

const isTrusted = (trust: ForwardingTrust, address: string) => trust.proxies.lookup(address) >= 0;

/**
 * Resolves the source of a request from its peer address and the value of
 * its forwarded-address header (repeated fields joined with commas, in
 * order), or undefined when there is none.
 */
export function resolveSource(peer: string, forwarded: string | undefined, trust: ForwardingTrust): ResolvedSource {
  const own = normalized(peer);
  if (forwarded === undefined || forwarded.trim() === '') return { address: own };
  if (!isTrusted(trust, own)) {
    return { address: own, ignoredHeader: forwarded.length > MAX_LOGGED_HEADER ? `${forwarded.slice(0, MAX_LOGGED_HEADER)}…` : forwarded };
  }
  const chain = forwarded.split(',').map((hop) => hop.trim());
  let client = chain[0]!;
  for (let i = chain.length - 1; i > 0; i--) {
    if (!isTrusted(trust, chain[i]!)) {
      client = chain[i]!;
      break;
    }
  }
  return { address: normalized(client), forwardedBy: own };
}
