/**
 * The access filter as a drachtio-srf middleware, for the edge and for any
 * drachtio-srf application that adopts it:
 *
 *   const listeners = new ListenerDirectory().follow(srf);
 *   srf.use(accessFilter({ policy, listeners, logger, registry }));
 *
 * It checks every new (out-of-dialog) request, whatever its method, but for
 * the methods configured as unchecked; an allowed one goes on down the
 * middleware chain, a denied one is answered `403 Forbidden` (RFC 3261
 * §21.4.4) with nothing that hints at the list or at what is behind it.
 * In-dialog requests go on unchecked: the dialog was checked when it began.
 * Every check logs one line and counts once. Whatever goes wrong while
 * deciding denies: the filter fails closed.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { PolicyView } from '../store/policy-view.js';
import { type AccessPolicy, type AccessVerdict, judge } from './access-decision.js';
import { AccessMetrics } from './access-metrics.js';
import { DenialLogBudget } from './denial-log-budget.js';
import type { DeniedRequest } from './denied-sources.js';
import { headerValue, parsedTo } from './header-value.js';
import type { ListenerDirectory } from './listener-directory.js';
import { type ForwardingTrust, TRUST_NO_PROXY } from './request-source.js';
import { sharedMetric } from './shared-metric.js';
import { answer } from './sip-answer.js';
import type { SipMiddleware, SipRequest } from './sip-request.js';
import { DEFAULT_UNMAPPED_DOMAIN, type UnmappedDomainPolicy } from './tenant.js';

export interface AccessFilterOptions {
  readonly policy: PolicyView;
  readonly listeners: ListenerDirectory;
  /** Whose forwarded-address header to believe; by default no one's. */
  readonly forwarding?: ForwardingTrust;
  /**
   * Methods let by without a check (OPTIONS keep-alives from anywhere, say);
   * default none. Whatever is let by reaches the upstream.
   */
  readonly uncheckedMethods?: readonly string[];
  /** Default `default`: unmapped domains get the `default` tenant's lists. */
  readonly unmappedDomain?: UnmappedDomainPolicy;
  readonly logger: Logger;
  /** Where the decision counters are registered. */
  readonly registry: Registry;
  /** Keeps the denied sources of known tenants (who is knocking); none by default. */
  readonly deniedSources?: { note(denied: DeniedRequest): void };
  /**
   * Sources on the ban list (auto-ban), judged by the packet's own source
   * address: answered 403 before any other work, counted, not logged one by
   * one; none by default.
   */
  readonly banned?: { isBanned(address: string): boolean };
  /** Sources over their rate of denials (source-rate-limit.ts): answered 403 first, or dropped unanswered; none by default. */
  readonly rateLimit?: { shedding(address: string): DeniedRequest | undefined; readonly action: 'reject' | 'drop' };
  /**
   * Told the packet's own source address of each request the check allows
   * (not of those let by unchecked): the kernel sink exempts it from its
   * per-source rate limit, which knows nothing of forwarded headers. Called
   * on the hot path, so it must cost next to nothing; none by default.
   */
  readonly allowedSources?: { allowed(address: string): void };
  /** Denial log lines a second, past which they are skipped and counted (denial-log-budget.ts); default 0, no limit. */
  readonly denialLogRate?: number;
}

export const BANNED_METRIC = 'sipwarden_sip_banned_total';
export const RATE_LIMITED_METRIC = 'sipwarden_sip_rate_limited_total';

/**
 * True for a request inside a dialog: its To carries the remote tag
 * (RFC 3261 §12.2.1.1, §8.1.1.2). A REGISTER never belongs to a dialog
 * (§10.2), so a tag on one does not exempt it from the check.
 */
export function isInDialog(request: SipRequest): boolean {
  return request.method !== 'REGISTER' && parsedTo(request).params.tag !== undefined;
}

function logFields(request: SipRequest, verdict: AccessVerdict): Record<string, unknown> {
  return {
    event: 'sip_access',
    result: verdict.allow ? 'allow' : 'deny',
    reason: verdict.reason,
    method: verdict.method,
    source_ip: verdict.source.address,
    source_port: verdict.source.port,
    transport: verdict.transport,
    scope: verdict.scope,
    tenant: verdict.tenant,
    domain: verdict.domain,
    entry: verdict.entry,
    // A match through a DNS name also names the name and its address in entry.resolved.
    matched_by: verdict.reason === 'country-allowed' ? 'country' : verdict.entry === undefined ? undefined : verdict.entry.resolved === undefined ? 'address' : 'name',
    // The source's country when the scope's country set is on (allowed by it, or not).
    country: verdict.country,
    forwarded_by: verdict.source.forwardedBy,
    spoofed_forwarded_header: verdict.source.spoofedHeader,
    call_id: headerValue(request, 'call-id'),
  };
}

export function accessFilter(options: AccessFilterOptions): SipMiddleware {
  const unchecked: ReadonlySet<string> = new Set((options.uncheckedMethods ?? []).map((method) => method.toUpperCase()));
  const access: AccessPolicy = {
    policy: options.policy,
    listeners: options.listeners,
    forwarding: options.forwarding ?? TRUST_NO_PROXY,
    unmappedDomain: options.unmappedDomain ?? DEFAULT_UNMAPPED_DOMAIN,
  };
  const metrics = new AccessMetrics(options.registry);
  const logger = options.logger;
  // The decision line's keys are logFields' own and none holds a secret, so
  // the main job's redaction (main.ts) finds nothing in it; looking costs
  // about 2 µs a line, on every allowed request. Other lines keep it.
  const decisionLog = logger.child({}, { redact: [] });
  const deniedSources = options.deniedSources;
  const denialLines = new DenialLogBudget(options.denialLogRate ?? 0, logger, options.registry);
  const { banned, rateLimit, allowedSources, registry } = options;
  const bannedAnswers =
    banned && sharedMetric(registry, BANNED_METRIC, () => new Counter({ name: BANNED_METRIC, help: 'Out-of-dialog SIP requests from banned sources, answered 403 without a decision or a log line.', registers: [registry] }));
  const limitedRequests =
    rateLimit &&
    sharedMetric(
      registry,
      RATE_LIMITED_METRIC,
      () => new Counter({ name: RATE_LIMITED_METRIC, help: 'Out-of-dialog SIP requests shed by the per-source rate limit on denials (SIPWARDEN_SOURCE_RATE_LIMIT), by action: reject (403) or drop.', labelNames: ['action'], registers: [registry] }),
    );

  /** A denial of a known tenant's scope, for the record of who is knocking. */
  function noteDenied(request: SipRequest, verdict: AccessVerdict): void {
    const { tenant, scope, transport } = verdict;
    if (deniedSources === undefined || verdict.allow || tenant === undefined || scope === undefined || transport === undefined) return;
    deniedSources.note({ tenant, scope, transport, address: verdict.source.address, method: verdict.method, userAgent: headerValue(request, 'user-agent'), domain: verdict.domain, at: Date.now(), forwarded: verdict.source.forwardedBy !== undefined });
  }

  /** The verdict, or undefined for a request the filter lets by unchecked. Never throws: a failure denies. */
  function check(request: SipRequest): { verdict: AccessVerdict; failure?: unknown } | undefined {
    try {
      if (unchecked.has(request.method) || isInDialog(request)) return undefined;
      return { verdict: judge(request, access) };
    } catch (failure) {
      const source = { address: request.source_address, port: request.source_port };
      return { verdict: { allow: false, reason: 'internal-error', method: request.method, source }, failure };
    }
  }

  function record(request: SipRequest, verdict: AccessVerdict, failure: unknown): void {
    metrics.count(verdict);
    // The fields are built only for a line that is written: under a flood most denials have none.
    const plainDenial = !verdict.allow && verdict.reason !== 'internal-error' && verdict.source.spoofedHeader === undefined;
    if (plainDenial && !denialLines.take()) return;
    const fields = logFields(request, verdict);
    const outcome = verdict.allow ? 'allowed' : 'denied';
    if (verdict.reason === 'internal-error') {
      logger.error({ ...fields, err: failure }, 'sip request denied: the access check failed');
    } else if (verdict.source.spoofedHeader !== undefined) {
      logger.warn(fields, `sip request ${outcome}; forwarded-address header from an untrusted source ignored (spoof attempt)`);
    } else if (verdict.allow) {
      decisionLog.info(fields, 'sip request allowed');
    } else {
      decisionLog.warn(fields, 'sip request denied');
    }
  }

  return (req, res, next) => {
    if (banned?.isBanned(req.source_address) === true && !isInDialog(req)) {
      bannedAnswers!.inc();
      return answer(req, res, 403, logger);
    }
    const shed = rateLimit?.shedding(req.source_address);
    if (shed !== undefined && !isInDialog(req)) {
      limitedRequests!.inc({ action: rateLimit!.action });
      // Still a denial for who is knocking and auto-ban: as the source's last decided one.
      deniedSources?.note({ ...shed, method: req.method, at: Date.now() });
      // Dropped: no answer; the client's retransmissions meet the same limit.
      return rateLimit!.action === 'reject' ? answer(req, res, 403, logger) : undefined;
    }
    const checked = check(req);
    if (checked === undefined) return next();
    record(req, checked.verdict, checked.failure);
    if (checked.verdict.allow) {
      allowedSources?.allowed(req.source_address);
      return next();
    }
    noteDenied(req, checked.verdict);
    answer(req, res, 403, logger);
  };
}
