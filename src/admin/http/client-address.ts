/**
 * The address an HTTP request is judged by: the socket's peer, or, when that
 * peer is a trusted proxy (nginx in front of the API or calling the
 * authorization endpoint), the client address it forwarded in a header.
 *
 * Anyone can write an X-Forwarded-For header, so it is believed only from a
 * trusted proxy; from anyone else it is ignored and reported as a spoof
 * attempt. In the chain the rightmost hop no trusted proxy stands for is the
 * client: hops to its left were written by the client itself.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { CidrMatcher, formatAddress, parseAddress, parseCidrList } from '../../policy/index.js';

export interface ForwardingTrust {
  readonly proxies: CidrMatcher;
  /** Lower-case header name. */
  readonly header: string;
}

export interface ClientAddress {
  /** The address decisions are made for. */
  readonly address: string;
  /** The trusted proxy that forwarded `address`, when the header was honoured. */
  readonly forwardedBy?: string;
  /** A forwarded-address header sent by an untrusted peer, ignored. */
  readonly ignoredHeader?: string;
}

/** RFC 9110 §5.6.2 token: what a header name may be. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const MAX_LOGGED_HEADER = 256;

export function compileForwardingTrust(trustedProxies: string, header: string): { ok: true; trust: ForwardingTrust } | { ok: false; message: string } {
  if (!HEADER_NAME.test(header)) return { ok: false, message: `client address header ${JSON.stringify(header)} is not a header name` };
  const parsed = parseCidrList(trustedProxies);
  if (!parsed.ok) return { ok: false, message: `trusted proxies: ${parsed.message}` };
  return { ok: true, trust: { proxies: CidrMatcher.compile(parsed.list), header: header.toLowerCase() } };
}

const scratch = new Uint32Array(4);

/** `::ffff:192.0.2.1` (an IPv4 peer on a dual-stack socket) as `192.0.2.1`; text that is not an address as is, for the policy to deny. */
function normalized(address: string): string {
  const family = parseAddress(address, scratch);
  return family === 0 ? address : formatAddress(family, scratch, 0);
}

const isTrusted = (proxies: CidrMatcher, address: string) => proxies.lookup(address) >= 0;

export function clientAddressOf(peer: string | undefined, headers: IncomingHttpHeaders, trust: ForwardingTrust): ClientAddress {
  const own = normalized(peer ?? '');
  const raw = headers[trust.header];
  // Node joins repeated X-Forwarded-For fields with ", "; other names may arrive as an array.
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  if (value === undefined || value.trim() === '') return { address: own };
  if (!isTrusted(trust.proxies, own)) {
    return { address: own, ignoredHeader: value.length > MAX_LOGGED_HEADER ? `${value.slice(0, MAX_LOGGED_HEADER)}…` : value };
  }
  const chain = value.split(',').map((hop) => hop.trim());
  let client = chain[0]!;
  for (let i = chain.length - 1; i > 0; i--) {
    if (!isTrusted(trust.proxies, chain[i]!)) {
      client = chain[i]!;
      break;
    }
  }
  return { address: normalized(client), forwardedBy: own };
}
