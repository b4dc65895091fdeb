/**
 * The address a request is judged by: the peer of the socket it arrived on,
 * or, behind a trusted proxy (an SBC, a WebSocket gateway), the client
 * address that proxy forwarded in a header.
 *
 * Anyone can write a forwarded-address header, so it is honoured only when
 * the request's own source is a configured trusted proxy; from anyone else it
 * is ignored and reported as a spoof attempt.
 */
import { type ForwardingTrust, resolveSource } from '../policy/index.js';
import { headerFieldValues } from './header-fields.js';

export { compileForwardingTrust, DEFAULT_FORWARDED_HEADER, TRUST_NO_PROXY, type ForwardingTrust } from '../policy/index.js';

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

export function sourceOf(request: SourceFacts, trust: ForwardingTrust): RequestSource {
  const values = headerFieldValues(request.raw, trust.header);
  const resolved = resolveSource(request.source_address, values.length > 0 ? values.join(', ') : undefined, trust);
  return {
    address: resolved.address,
    port: request.source_port,
    ...(resolved.forwardedBy !== undefined && { forwardedBy: resolved.forwardedBy }),
    ...(resolved.ignoredHeader !== undefined && { spoofedHeader: resolved.ignoredHeader }),
  };
}
