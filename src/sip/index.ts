/**
 * The SIP edge and its parts an existing drachtio-srf application can adopt:
 * `srf.use(accessFilter({...}))`.
 */
export { DEFAULT_DENIAL_LOG_RATE, DEFAULT_UPSTREAM_PROBE_INTERVAL_MS, startSipEdge, type SipEdge, type SipEdgeOptions, type SipEdgeResult } from './edge.js';
export { accessFilter, type AccessFilterOptions } from './access-filter.js';
export { PROXIED_METHODS } from './forward.js';
export { SIP_REFUSED_METRIC } from './refusal-metrics.js';
export type { AccessReason, AccessVerdict } from './access-decision.js';
export { ACCESS_DECISIONS_METRIC, NAME_MATCHES_METRIC } from './access-metrics.js';
export { UPSTREAM_UP_METRIC } from './upstream-monitor.js';
export { ListenerDirectory } from './listener-directory.js';
export { parseListeners, scopeOf, TRANSPORTS, type Listener, type Transport } from './transport.js';
export { compileForwardingTrust, DEFAULT_FORWARDED_HEADER, type ForwardingTrust } from './request-source.js';
export { DEFAULT_TENANT, DEFAULT_UNMAPPED_DOMAIN, UNMAPPED_DOMAIN_POLICIES, type UnmappedDomainPolicy } from './tenant.js';
export type { UpstreamConfig } from './upstream.js';
export {
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_RETRY_MIN_DELAY_MS,
  type DrachtioConnection,
  type InboundConnection,
  type OutboundConnection,
} from './drachtio-link.js';
export type { HealthServerOptions } from './health-server.js';
