/**
 * The SIP edge's settings: the drachtio connection, the upstream PBX, and how
 * requests are checked.
 */
import {
  DEFAULT_DENIAL_LOG_RATE,
  DEFAULT_FORWARDED_HEADER,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_RETRY_MIN_DELAY_MS,
  DEFAULT_UNMAPPED_DOMAIN,
  DEFAULT_UPSTREAM_PROBE_INTERVAL_MS,
  type SipEdgeOptions,
  UNMAPPED_DOMAIN_POLICIES,
} from '../sip/index.js';
import { type EnvErrors, type EnvReader, integer, list, oneOf, text } from './env.js';

export const DEFAULT_HTTP_PORT = 9300;

function tenantUpstreams(env: EnvReader, errors: EnvErrors): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of list(env, 'SIPWARDEN_TENANT_UPSTREAMS')) {
    const at = pair.indexOf('=');
    if (at < 1 || at === pair.length - 1) errors.fail('SIPWARDEN_TENANT_UPSTREAMS', 'tenant=upstream pairs, comma-separated', pair);
    else map[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return map;
}

export function sipConfig(env: EnvReader, errors: EnvErrors): SipEdgeOptions {
  const mode = oneOf(env, errors, 'SIPWARDEN_DRACHTIO_MODE', ['inbound', 'outbound'] as const, 'inbound');
  const secret = text(env, 'DRACHTIO_SECRET');
  if (secret === undefined) errors.required('DRACHTIO_SECRET', 'the secret drachtio-server is configured with (its --secret)', 'cymru');
  const upstream = text(env, 'SIP_UPSTREAM');
  if (upstream === undefined) errors.required('SIP_UPSTREAM', 'the registrar/PBX allowed requests are proxied to, a SIP URI or host[:port]', 'sip:pbx.internal:5060');
  const listenHost = text(env, 'SIPWARDEN_DRACHTIO_LISTEN_HOST');
  const listeners = text(env, 'SIPWARDEN_SIP_LISTENERS');
  const trustedProxies = text(env, 'SIPWARDEN_TRUSTED_PROXIES');
  const httpHost = text(env, 'SIPWARDEN_HTTP_HOST');
  if (text(env, 'SIPWARDEN_CHECKED_METHODS') !== undefined) {
    errors.messages.push('SIPWARDEN_CHECKED_METHODS: no longer read: every out-of-dialog request is checked; name exceptions in SIPWARDEN_UNCHECKED_METHODS');
  }
  const unchecked = list(env, 'SIPWARDEN_UNCHECKED_METHODS').map((m) => m.toUpperCase());
  return {
    drachtio:
      mode === 'inbound'
        ? {
            mode,
            host: text(env, 'DRACHTIO_HOST', '127.0.0.1'),
            port: integer(env, errors, 'DRACHTIO_PORT', 9022, 1, 65535),
            secret: secret ?? '',
            retryMinDelayMs: integer(env, errors, 'SIPWARDEN_DRACHTIO_RETRY_MIN_MS', DEFAULT_RETRY_MIN_DELAY_MS, 10, 600_000),
            retryMaxDelayMs: integer(env, errors, 'SIPWARDEN_DRACHTIO_RETRY_MAX_MS', DEFAULT_RETRY_MAX_DELAY_MS, 10, 600_000),
          }
        : {
            mode,
            ...(listenHost !== undefined && { host: listenHost }),
            port: integer(env, errors, 'SIPWARDEN_DRACHTIO_LISTEN_PORT', 9023, 1, 65535),
            secret: secret ?? '',
          },
    upstream: { defaultUpstream: upstream ?? '', tenantUpstreams: tenantUpstreams(env, errors) },
    ...(listeners !== undefined && { listeners }),
    ...(unchecked.length > 0 && { uncheckedMethods: unchecked }),
    unmappedDomain: oneOf(env, errors, 'SIPWARDEN_UNMAPPED_DOMAIN', UNMAPPED_DOMAIN_POLICIES, DEFAULT_UNMAPPED_DOMAIN),
    ...(trustedProxies !== undefined && { trustedProxies }),
    forwardedHeader: text(env, 'SIPWARDEN_FORWARDED_HEADER', DEFAULT_FORWARDED_HEADER),
    upstreamProbeIntervalMs: integer(env, errors, 'SIPWARDEN_UPSTREAM_PROBE_MS', DEFAULT_UPSTREAM_PROBE_INTERVAL_MS, 0, 3_600_000),
    denialLogRate: integer(env, errors, 'SIPWARDEN_DENIAL_LOG_RATE', DEFAULT_DENIAL_LOG_RATE, 0, 1_000_000),
    http: { ...(httpHost !== undefined && { host: httpHost }), port: integer(env, errors, 'SIPWARDEN_HTTP_PORT', DEFAULT_HTTP_PORT, 0, 65535) },
  };
}
