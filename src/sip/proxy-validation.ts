/**
 * The request validation a proxy owes before forwarding (RFC 3261 §16.3),
 * for what drachtio-server does not check itself.
 */
import { headerValue } from './header-value.js';
import type { SipRequest } from './sip-request.js';

export type ProxyValidationFailure =
  /** §16.3 step 3: Max-Forwards reached zero. */
  | { readonly reason: 'too-many-hops' }
  /** §16.3 step 5: Proxy-Require names extensions the edge does not support (it supports none). */
  | { readonly reason: 'bad-extension'; readonly unsupported: string }
  /** §19.1.1: header fields are not allowed in a Request-URI (RFC 4475 §3.1.2.11, "escruri"). */
  | { readonly reason: 'uri-headers' };

/** Why `request` must not be proxied, or undefined when it may. */
export function proxyValidationFailure(request: SipRequest): ProxyValidationFailure | undefined {
  if (headerValue(request, 'max-forwards')?.trim() === '0') return { reason: 'too-many-hops' };
  const required = headerValue(request, 'proxy-require')?.split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
  if (required !== undefined && required.length > 0) return { reason: 'bad-extension', unsupported: required.join(', ') };
  if (/^sips?:[^?]*\?/i.test(request.uri)) return { reason: 'uri-headers' };
  return undefined;
}
