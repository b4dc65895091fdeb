/**
 * How an edge resolves the DNS names in its lists.
 */
import { DNS_DEFAULTS, type NameResolverSettings, parseDnsServers } from '../dns/index.js';
import { type EnvErrors, type EnvReader, integer, list } from './env.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function dnsConfig(env: EnvReader, errors: EnvErrors): NameResolverSettings {
  const servers = parseDnsServers(list(env, 'SIPWARDEN_DNS_SERVERS'));
  if (!servers.ok) errors.fail('SIPWARDEN_DNS_SERVERS', 'comma-separated ip[:port] ([ipv6]:port with a port)', servers.bad);
  const minTtlMs = integer(env, errors, 'SIPWARDEN_DNS_MIN_TTL_MS', DNS_DEFAULTS.minTtlMs, 100, DAY_MS);
  const maxTtlMs = integer(env, errors, 'SIPWARDEN_DNS_MAX_TTL_MS', DNS_DEFAULTS.maxTtlMs, 100, DAY_MS);
  if (minTtlMs > maxTtlMs) errors.fail('SIPWARDEN_DNS_MAX_TTL_MS', `at least SIPWARDEN_DNS_MIN_TTL_MS (${minTtlMs})`, String(maxTtlMs));
  return {
    servers: servers.ok ? servers.servers : [],
    minTtlMs,
    maxTtlMs,
    graceMs: integer(env, errors, 'SIPWARDEN_DNS_GRACE_MS', DNS_DEFAULTS.graceMs, 0, 7 * DAY_MS),
    maxAddresses: integer(env, errors, 'SIPWARDEN_DNS_MAX_ADDRESSES', DNS_DEFAULTS.maxAddresses, 1, 1024),
    timeoutMs: integer(env, errors, 'SIPWARDEN_DNS_TIMEOUT_MS', DNS_DEFAULTS.timeoutMs, 100, 60_000),
  };
}
