/**
 * A header field's value read where drachtio-srf's parser put it, for the
 * fields the edge reads on every request.
 *
 * drachtio-srf's `get(name)` lower-cases the name, reads
 * `process.env.DRACHTIO_PRESERVE_HEADER_NAMES`, then lower-cases every stored
 * name of the message to find it: several microseconds a call, and the edge
 * made four or five a request (bench:sip profile). Its parser
 * (lib/sip-parser/parser.js `getHeaderName`) stores every field under its
 * name in lower case, compact forms expanded (RFC 3261 §7.3.3: `i` is
 * Call-ID), repeated fields joined by commas, so for those names the value
 * is one property read, and the same string `get()` returns.
 *
 * Not for X- and P- fields, whose names it keeps as received. When
 * DRACHTIO_PRESERVE_HEADER_NAMES is set (read once, as the edge starts) names
 * may be kept as received too, and this asks `get()` and `getParsedHeader()`.
 */
import { createRequire } from 'node:module';
import type { NameAddr } from './sip-request.js';

const require = createRequire(import.meta.url);
/** drachtio-srf's own field parsers, so a field read here parses exactly as getParsedHeader() parses it. */
const fieldParsers = require('drachtio-srf/lib/sip-parser/parser.js') as { getParser(name: string): (field: { s: string; i: number }) => unknown };
const parseNameAddr = fieldParsers.getParser('to') as (field: { s: string; i: number }) => NameAddr;

/** The fields read on the request path, as the parser stores them. */
export type StoredHeaderName = 'call-id' | 'user-agent' | 'max-forwards' | 'proxy-require';

/** What is needed of a drachtio-srf request: its parsed message's fields, and get() when names may be preserved. */
export interface HeaderFacts {
  readonly msg: { readonly headers: Readonly<Record<string, string | undefined>> };
  get(name: string): string | undefined;
  getParsedHeader(name: 'To'): NameAddr;
}

const NAMES_MAY_BE_PRESERVED = (process.env.DRACHTIO_PRESERVE_HEADER_NAMES ?? '') !== '';

/** The field's value (repeated fields joined by commas), or undefined when the request has none. */
export function headerValue(request: HeaderFacts, name: StoredHeaderName): string | undefined {
  return NAMES_MAY_BE_PRESERVED ? request.get(name) : request.msg.headers[name];
}

/** The To field (RFC 3261 §20.39) parsed, as getParsedHeader('To') gives it; throws as that does when the request has none. */
export function parsedTo(request: HeaderFacts): NameAddr {
  if (NAMES_MAY_BE_PRESERVED) return request.getParsedHeader('To');
  const value = request.msg.headers.to;
  if (!value) throw new Error('the request has no To header field');
  return parseNameAddr({ s: value, i: 0 });
}
