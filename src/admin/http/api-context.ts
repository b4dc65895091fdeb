/**
 * What a route handler gets: the parsed request and the services behind it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { PolicyView } from '../../store/policy-view.js';
import type { ApiTokens } from '../api-tokens.js';
import type { ListAdmin } from '../list-admin.js';
import type { ApiMetrics } from './api-metrics.js';
import type { BodyReader } from './body.js';
import type { ClientAddress } from './client-address.js';
import type { KeyedQueue } from './keyed-queue.js';
import type { Reply } from './reply.js';

export interface ApiServices {
  readonly admin: ListAdmin;
  readonly tokens: ApiTokens;
  readonly policy: PolicyView;
  readonly log: Logger;
  readonly metrics: ApiMetrics;
  /** This process's writes, one at a time per list. */
  readonly writes: KeyedQueue;
}

export interface ApiContext {
  readonly method: string;
  /** Path parameters, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly client: ClientAddress;
  readonly body: BodyReader;
  readonly services: ApiServices;
}

export interface Route {
  readonly methods: readonly string[];
  /** Path template, OpenAPI style: `/v1/tenants/{tenant}/audit`. */
  readonly path: string;
  /** The query parameters the route reads. */
  readonly query: readonly string[];
  handle(context: ApiContext): Promise<Reply>;
}
