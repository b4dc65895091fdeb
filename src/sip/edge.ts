/**
 * The SIP edge: a drachtio-srf application in front of the operator's
 * registrar/PBX. Out-of-dialog requests from sources their tenant's list does
 * not allow are answered 403, whatever the method (but for those configured
 * unchecked); the rest is proxied to the tenant's upstream with
 * record-routing.
 *
 *   phones, softphones ──udp/tcp/tls──┐
 *                                      ├─> drachtio-server <─control─> edge ──> PolicyView
 *   browsers (sip.js) ─────ws/wss─────┘        │ proxy (allowed only)
 *                                              └──────────────────────> upstream PBX
 *
 * All settings come in through SipEdgeOptions; nothing here reads the
 * environment.
 */
import type { Server } from 'node:http';
import Srf from 'drachtio-srf';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PolicyView } from '../store/policy-view.js';
import { type AccessFilterOptions, accessFilter } from './access-filter.js';
import { type DrachtioConnection, type SrfConnector, openDrachtioLink } from './drachtio-link.js';
import { DIALOG_ONLY_METHODS, PROXIED_METHODS, forwardToUpstream } from './forward.js';
import { type HealthServerOptions, startHealthServer } from './health-server.js';
import { ListenerDirectory } from './listener-directory.js';
import { MessageGuard } from './message-guard.js';
import { DEFAULT_FORWARDED_HEADER, compileForwardingTrust } from './request-source.js';
import type { SipHandler, SipMiddleware } from './sip-request.js';
import { DEFAULT_UNMAPPED_DOMAIN, type UnmappedDomainPolicy } from './tenant.js';
import { type Listener, parseListeners } from './transport.js';
import { type UpstreamConfig, Upstreams } from './upstream.js';
import { type SrfRequester, UpstreamMonitor } from './upstream-monitor.js';

export interface SipEdgeOptions {
  readonly drachtio: DrachtioConnection;
  readonly upstream: UpstreamConfig;
  /**
   * Listeners the operator declares (`ws/10.0.0.5:8080,udp/10.0.0.5:5060`),
   * consulted before those drachtio-server announces; `0.0.0.0`, `::` or `*`
   * as host match any address on that port. Default none.
   */
  readonly listeners?: string;
  /** Methods proxied without a check, from PROXIED_METHODS; default none. */
  readonly uncheckedMethods?: readonly string[];
  /** Default `default`. */
  readonly unmappedDomain?: UnmappedDomainPolicy;
  /** CIDR list of proxies whose forwarded-address header is believed; default none. */
  readonly trustedProxies?: string;
  /** Default X-Forwarded-For. */
  readonly forwardedHeader?: string;
  /** How often each upstream is probed with OPTIONS; 0 turns probing off. Default 5000. */
  readonly upstreamProbeIntervalMs?: number;
  /** Where /health and /metrics are served. */
  readonly http: HealthServerOptions;
  /** Keeps the sources the filter denies (issue 14's record of who is knocking); none by default. */
  readonly deniedSources?: AccessFilterOptions['deniedSources'];
  /** Denial log lines a second (SIPWARDEN_DENIAL_LOG_RATE); 0: every denial logged. Default DEFAULT_DENIAL_LOG_RATE. */
  readonly denialLogRate?: number;
  /** The ban list the filter answers first (auto-ban); none by default. */
  readonly banned?: AccessFilterOptions['banned'];
  /** The per-source rate limit on denials; none by default. */
  readonly rateLimit?: AccessFilterOptions['rateLimit'];
  /** Told each source the filter allows (the kernel sink exempts it from its rate limit); none by default. */
  readonly allowedSources?: AccessFilterOptions['allowedSources'];
  /** Told the listeners of each drachtio-server that connects (the kernel ban sink guards their ports). */
  readonly listenersAnnounced?: (listeners: readonly Listener[]) => void;
}

export const DEFAULT_UPSTREAM_PROBE_INTERVAL_MS = 5000;
/** Denial log lines a second before they are skipped and counted: a flood logs a few hundred lines, not one per packet. */
export const DEFAULT_DENIAL_LOG_RATE = 200;

export interface SipEdge {
  /** The port /health and /metrics are served on. */
  readonly httpPort: number;
  close(): Promise<void>;
}

export type SipEdgeResult = { readonly ok: true; readonly edge: SipEdge } | { readonly ok: false; readonly message: string };

/**
 * drachtio-srf's typings describe its request and response differently from
 * what lib/request.js builds (see sip-request.ts); this is the one place the
 * edge hands its handlers over.
 */
type SrfMiddleware = Parameters<Srf['use']>[1];
function toSrf(handler: SipMiddleware | SipHandler): SrfMiddleware {
  return handler as unknown as SrfMiddleware;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startSipEdge(options: SipEdgeOptions, policy: PolicyView, logger: Logger, registry: Registry): Promise<SipEdgeResult> {
  const configured = parseListeners(options.listeners ?? '');
  if (configured.errors.length > 0) return { ok: false, message: `listeners: ${configured.errors.join('; ')}` };
  const forwarding = compileForwardingTrust(options.trustedProxies ?? '', options.forwardedHeader ?? DEFAULT_FORWARDED_HEADER);
  if (!forwarding.ok) return forwarding;
  const upstreams = Upstreams.compile(options.upstream);
  if (!upstreams.ok) return upstreams;

  const listeners = new ListenerDirectory(configured.listeners, options.listenersAnnounced);
  const uncheckedMethods = (options.uncheckedMethods ?? []).map((method) => method.toUpperCase());
  const unproxied = uncheckedMethods.filter((method) => !PROXIED_METHODS.includes(method));
  if (unproxied.length > 0) return { ok: false, message: `SIPWARDEN_UNCHECKED_METHODS: ${unproxied.join(', ')} not among the methods the edge proxies (${PROXIED_METHODS.join(', ')})` };
  const srf = new Srf();
  /** drachtio-srf's typings lack what the link and the probes use; see drachtio-link.ts. */
  const drachtioSrf = srf as unknown as SrfConnector & SrfRequester;
  srf.use(
    toSrf(
      accessFilter({
        policy,
        listeners,
        forwarding: forwarding.trust,
        uncheckedMethods,
        unmappedDomain: options.unmappedDomain ?? DEFAULT_UNMAPPED_DOMAIN,
        logger,
        registry,
        ...(options.deniedSources !== undefined && { deniedSources: options.deniedSources }),
        ...(options.banned !== undefined && { banned: options.banned }),
        ...(options.rateLimit !== undefined && { rateLimit: options.rateLimit }),
        ...(options.allowedSources !== undefined && { allowedSources: options.allowedSources }),
        denialLogRate: options.denialLogRate ?? DEFAULT_DENIAL_LOG_RATE,
      }),
    ),
  );
  let monitor: UpstreamMonitor | undefined;
  const forward = toSrf(
    forwardToUpstream({
      upstreams: upstreams.upstreams,
      upstreamDown: (upstream) => monitor?.isDown(upstream) ?? false,
      policy,
      logger,
      registry,
    }),
  );
  // drachtio-server hands the application only the methods it routes, and
  // answers the others 503 itself; ACK and CANCEL are its stack's to match.
  for (const method of [...PROXIED_METHODS, ...DIALOG_ONLY_METHODS]) srf.use(method.toLowerCase(), forward);

  const opened = await openDrachtioLink(drachtioSrf, options.drachtio, listeners, logger, new MessageGuard(logger, registry));
  if (!opened.ok) return opened;
  const link = opened.link;
  const health = await startHealthServer(options.http, () => ({ drachtio: link.connected, lists: policy.ready, problem: policy.problem }), registry, logger);
  if (!health.ok) {
    await link.close();
    return health;
  }
  const probeEvery = options.upstreamProbeIntervalMs ?? DEFAULT_UPSTREAM_PROBE_INTERVAL_MS;
  if (probeEvery > 0) {
    monitor = new UpstreamMonitor(drachtioSrf, { upstreams: upstreams.upstreams.all(), intervalMs: probeEvery, connected: () => link.connected, logger, registry });
  }
  return {
    ok: true,
    edge: {
      httpPort: health.port,
      async close() {
        monitor?.stop();
        await Promise.all([link.close(), closeServer(health.server)]);
      },
    },
  };
}
