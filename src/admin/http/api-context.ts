/**
 * What a route handler gets besides its request: the services behind the
 * API, and what the server's hooks put on the request before it runs.
 */
import type { Logger } from 'pino';
import type { PolicyView } from '../../store/policy-view.js';
import type { ApiTokens } from '../api-tokens.js';
import type { BanAdmin } from '../ban-admin.js';
import type { ConsoleSessions } from '../console-sessions.js';
import type { DeniedAdmin } from '../denied-admin.js';
import type { Actor, ListAdmin } from '../list-admin.js';
import type { ApiMetrics } from './api-metrics.js';
import type { ClientAddress } from './client-address.js';
import type { KeyedQueue } from './keyed-queue.js';

export interface ApiServices {
  readonly admin: ListAdmin;
  readonly denied: DeniedAdmin;
  readonly bans: BanAdmin;
  readonly tokens: ApiTokens;
  readonly sessions: ConsoleSessions;
  readonly policy: PolicyView;
  readonly log: Logger;
  readonly metrics: ApiMetrics;
  /** This process's writes, one at a time per list. */
  readonly writes: KeyedQueue;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The address the request is judged by (see client-address.ts); set first thing for every request. */
    client: ClientAddress;
    /** The caller for ListAdmin, set by the token check of the /v1/tenants and /v1/bans routes; `force` is the handler's to add. */
    actor: Actor;
  }
}
