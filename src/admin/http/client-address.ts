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
import { type ForwardingTrust, type ResolvedSource, resolveSource } from '../../policy/index.js';

export { compileForwardingTrust, type ForwardingTrust } from '../../policy/index.js';

export type ClientAddress = ResolvedSource;

export function clientAddressOf(peer: string | undefined, headers: IncomingHttpHeaders, trust: ForwardingTrust): ClientAddress {
  const raw = headers[trust.header.toLowerCase()];
  // Node joins repeated X-Forwarded-For fields with ", "; other names may arrive as an array.
  return resolveSource(peer ?? '', Array.isArray(raw) ? raw.join(', ') : raw, trust);
}
