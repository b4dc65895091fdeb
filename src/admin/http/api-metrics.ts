/**
 * The API's Prometheus metrics. Labels stay bounded: routes by template, not
 * by URL, and no tenant label (there may be thousands of tenants).
 */
import { Counter, type Registry } from 'prom-client';

export interface ApiMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly authorizations: Counter<'scope' | 'result'>;
  readonly ignoredForwarded: Counter;
}

export function apiMetrics(registry: Registry): ApiMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'sipwarden_admin_api_requests_total',
      help: 'Admin API requests by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    authorizations: new Counter({
      name: 'sipwarden_authorize_decisions_total',
      help: 'Answers of the authorization endpoint by scope (invalid for a bad request) and result (allow or deny)',
      labelNames: ['scope', 'result'],
      registers,
    }),
    ignoredForwarded: new Counter({
      name: 'sipwarden_admin_api_forwarded_ignored_total',
      help: 'Requests whose forwarded-address header was ignored because the peer is not a trusted proxy (spoof attempts)',
      registers,
    }),
  };
}
