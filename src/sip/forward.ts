/**
 * Proxies the requests the access filter let through to the tenant's
 * upstream, record-routing so the dialog's ACK, BYE and re-INVITEs come back
 * through drachtio-server, which relays them itself.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PolicyView } from '../store/policy-view.js';
import { isInDialog } from './access-filter.js';
import { headerValue } from './header-value.js';
import { PROXY_DESTINATION_MAX_BYTES } from './drachtio-command.js';
import { proxyValidationFailure } from './proxy-validation.js';
import { type RefusalReason, RefusalMetrics } from './refusal-metrics.js';
import { answer } from './sip-answer.js';
import type { SipHandler, SipRequest, SipResponse } from './sip-request.js';
import { requestDomain, resolveTenant } from './tenant.js';
import type { UpstreamTarget, Upstreams } from './upstream.js';

export interface ForwardOptions {
  readonly upstreams: Upstreams;
  /** Whether an upstream is known not to answer (see UpstreamMonitor). */
  readonly upstreamDown: (upstream: string) => boolean;
  readonly policy: PolicyView;
  readonly logger: Logger;
  /** Where the refusal counter is registered. */
  readonly registry: Registry;
}

/**
 * The status the edge answers with, for each reason it does not proxy: the
 * §16.3 request validation (proxy-validation.ts), §21.4.12 (the Request-URI is longer than the edge will proxy), §12.2.2 (a
 * request naming a dialog the server does not have), §21.5.1 (sipwarden
 * failed before the request could be proxied), §21.5.4 (the upstream does
 * not answer, or drachtio-server could not start proxying).
 */
const STATUS: Readonly<Record<RefusalReason, number>> = {
  'uri-headers': 400,
  'request-uri-too-long': 414,
  'bad-extension': 420,
  'too-many-hops': 483,
  'no-such-dialog': 481,
  'internal-error': 500,
  'upstream-down': 503,
};
/**
 * An INVITE to an upstream that sends no provisional response within this
 * ends in a 408 from drachtio-server instead of after timer B (32 s); a live
 * PBX sends 100 Trying within 200 ms (§17.2.1). Only INVITEs have the timer.
 */
const INVITE_PROVISIONAL_TIMEOUT = '5s';

/**
 * The out-of-dialog requests a registrar/PBX serves, which the edge proxies
 * once the access filter let them by. In-dialog requests of proxied dialogs
 * never reach the application: drachtio-server relays them along the
 * record-route.
 *
 * drachtio-server v0.9.x hands an application only these and INFO out of a
 * dialog (src/controller.cpp, processMessageStatelessly): it answers CANCEL,
 * BYE and UPDATE that match nothing with 481 itself, and discards the rest
 * unanswered, out-of-dialog REFER and unknown methods included.
 */
export const PROXIED_METHODS: readonly string[] = ['REGISTER', 'INVITE', 'OPTIONS', 'SUBSCRIBE', 'NOTIFY', 'MESSAGE', 'PUBLISH'];

/**
 * Out of a dialog, INFO (RFC 6086 §4.2) has nothing to be proxied to; it is
 * the one such method drachtio-server hands over instead of answering itself.
 */
export const DIALOG_ONLY_METHODS: readonly string[] = ['INFO'];

export function forwardToUpstream(options: ForwardOptions): SipHandler {
  const { upstreams, upstreamDown, policy, logger } = options;
  const metrics = new RefusalMetrics(options.registry);
  const dialogOnly = new Set(DIALOG_ONLY_METHODS);

  function targetOf(req: SipRequest): UpstreamTarget {
    const tenancy = resolveTenant(requestDomain(req), policy, 'default');
    return upstreams.targetFor(tenancy.ok ? tenancy.tenant : undefined, req.uri);
  }

  function refuse(req: SipRequest, res: SipResponse, reason: RefusalReason, fields: Record<string, unknown>, message: string, headers?: Record<string, string>): void {
    metrics.count(reason, req.method);
    logger.warn({ method: req.method, source_ip: req.source_address, call_id: headerValue(req, 'call-id'), reason, ...fields }, message);
    answer(req, res, STATUS[reason], logger, headers);
  }

  return (req, res) => {
    let target: UpstreamTarget;
    try {
      // drachtio-server relays the requests of the dialogs it record-routed
      // without asking the application: a request carrying a To tag that
      // reaches here claims a dialog no one has, and is not let past on the
      // strength of that claim.
      if (dialogOnly.has(req.method) || isInDialog(req)) {
        return refuse(req, res, 'no-such-dialog', {}, 'sip request for an unknown dialog answered 481');
      }
      const invalid = proxyValidationFailure(req);
      if (invalid?.reason === 'bad-extension') {
        return refuse(req, res, invalid.reason, { unsupported: invalid.unsupported }, 'sip request requires an extension the edge lacks; answered 420', { Unsupported: invalid.unsupported });
      }
      if (invalid !== undefined) return refuse(req, res, invalid.reason, {}, `sip request not fit to proxy (${invalid.reason}); answered ${STATUS[invalid.reason]}`);
      target = targetOf(req);
    } catch (error) {
      metrics.count('internal-error', req.method);
      logger.error({ err: error, method: req.method, call_id: headerValue(req, 'call-id') }, 'could not route a sip request upstream');
      return answer(req, res, STATUS['internal-error'], logger);
    }
    const { upstream, destination } = target;
    const destinationBytes = Buffer.byteLength(destination);
    if (destinationBytes > PROXY_DESTINATION_MAX_BYTES) {
      return refuse(req, res, 'request-uri-too-long', { destination_bytes: destinationBytes, limit: PROXY_DESTINATION_MAX_BYTES }, 'sip request too long to proxy; answered 414');
    }
    if (upstreamDown(upstream)) {
      return refuse(req, res, 'upstream-down', { upstream }, 'upstream down; sip request answered 503');
    }
    // Call-ID only for a line that is written.
    const failed = (error: unknown): void => {
      logger.error({ err: error, method: req.method, destination, call_id: headerValue(req, 'call-id') }, 'drachtio-server could not proxy a sip request upstream');
      answer(req, res, STATUS['upstream-down'], logger);
    };
    try {
      req.proxy({ destination, remainInDialog: true, provisionalTimeout: INVITE_PROVISIONAL_TIMEOUT }, (error, result) => {
        if (error || result === undefined) return failed(error);
        // drachtio-server has relayed the upstream's final answer (or its own 408/503) to the client.
        const failedUpstream = result.finalStatus === undefined || result.finalStatus >= 500;
        if (!failedUpstream && !logger.isLevelEnabled('debug')) return;
        const fields = { method: req.method, destination, final_status: result.finalStatus, call_id: headerValue(req, 'call-id') };
        if (failedUpstream) logger.warn(fields, 'upstream failed a proxied sip request');
        else logger.debug(fields, 'sip request proxied upstream');
      });
    } catch (error) {
      failed(error);
    }
  };
}
