/**
 * Resolution of the DNS names in the lists: what every edge keeps fresh for
 * its decisions (NameResolver), and a one-off resolution for a process
 * without a cache (resolveOnce).
 */
export {
  NameResolver,
  resolveOnce,
  DNS_DEFAULTS,
  NAME_STATES,
  type NameResolverOptions,
  type NameResolverSettings,
  type NameState,
  type NameStatus,
} from './name-resolver.js';
export { parseDnsServers, type DnsServersResult } from './dns-servers.js';
export { createDnsClient, QUERY_OUTCOMES, type DnsClient, type QueryOutcome, type RecordType } from './dns-query.js';
