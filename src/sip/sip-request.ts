/**
 * The parts of drachtio-srf's request and response objects sipwarden uses.
 *
 * drachtio-srf 5's bundled typings omit what an edge needs (`receivedOn`,
 * `server`, `raw`, `proxy()`) and declare `source_port` a string where the
 * Request sets a number, so the shapes are written down here from
 * lib/request.js and lib/drachtio-agent.js, and the edge converts at the
 * single place it hands handlers to drachtio-srf.
 */
import type { HeaderFacts } from './header-value.js';
import type { ArrivalFacts } from './listener-directory.js';
import type { SourceFacts } from './request-source.js';

/** A From/To header as drachtio-srf parses it (name-addr, RFC 3261 §20.20, §20.39). */
export interface NameAddr {
  readonly uri: string;
  readonly params: Readonly<Record<string, string | undefined>>;
}

/** Options of Request#proxy (drachtio-srf lib/request.js). */
export interface ProxyOptions {
  readonly destination: string | readonly string[];
  /** Record-Route, so the dialog's later requests come through drachtio (RFC 3261 §16.6 step 4). */
  readonly remainInDialog?: boolean;
  readonly provisionalTimeout?: string;
  readonly finalTimeout?: string;
}

export interface ProxyResult {
  readonly connected: boolean;
  readonly finalStatus?: number;
}

export interface SipRequest extends ArrivalFacts, SourceFacts, HeaderFacts {
  readonly method: string;
  /** The Request-URI. */
  readonly uri: string;
  /** A header's value; undefined when absent. On the request path, headerValue() reads the common ones. */
  get(name: string): string | undefined;
  getParsedHeader(name: 'To'): NameAddr;
  /**
   * Proxies it; `done` is called once drachtio-server has relayed the final
   * answer (result), or could not proxy (error: drachtio-server's reason).
   * The callback form: the promise drachtio-srf makes without one costs an
   * allocation and a microtask per request.
   */
  proxy(options: ProxyOptions, done: (error: unknown, result?: ProxyResult) => void): unknown;
}

export interface SipResponse {
  /** Sends a final or provisional response; drachtio-srf fills in the reason phrase. */
  send(status: number, options?: { readonly headers: Readonly<Record<string, string>> }): void;
  /** True once a final response went out (drachtio-srf Response). */
  readonly finalResponseSent?: boolean;
  /** The response being built: drachtio-srf fills its headers from the request (lib/response.js). */
  readonly msg: { readonly headers: Record<string, string> };
}

export type Next = (error?: unknown) => void;

/** A drachtio-srf middleware: `srf.use(middleware)`. */
export type SipMiddleware = (req: SipRequest, res: SipResponse, next: Next) => void;

/** A request that ends the chain: drachtio-srf route handlers get no `next`. */
export type SipHandler = (req: SipRequest, res: SipResponse) => void;
