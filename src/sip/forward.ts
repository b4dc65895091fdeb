/**
 * Proxies the requests the access filter let through to the tenant's
 * upstream, record-routing so the dialog's ACK, BYE and re-INVITEs come back
 * through drachtio-server, which relays them itself.
 */
import type { Logger } from 'pino';
import type { PolicyView } from '../store/policy-view.js';
import { isInDialog } from './access-filter.js';
import type { SipHandler, SipRequest, SipResponse } from './sip-request.js';
import { requestDomain, resolveTenant } from './tenant.js';
import type { UpstreamTarget, Upstreams } from './upstream.js';

export interface ForwardOptions {
  readonly upstreams: Upstreams;
  /** Whether an upstream is known not to answer (see UpstreamMonitor). */
  readonly upstreamDown: (upstream: string) => boolean;
  readonly policy: PolicyView;
  /** The methods the access filter checks. */
  readonly checkedMethods: ReadonlySet<string>;
  readonly logger: Logger;
}

/** RFC 3261 §12.2.2: a request naming a dialog the server does not have. */
const NO_SUCH_DIALOG = 481;
/** §21.5.1: sipwarden failed before the request could be proxied. */
const INTERNAL_ERROR = 500;
/** §21.5.4: the upstream does not answer, or drachtio-server could not start proxying. */
const UNAVAILABLE = 503;
/**
 * An INVITE to an upstream that sends no provisional response within this
 * ends in a 408 from drachtio-server instead of after timer B (32 s); a live
 * PBX sends 100 Trying within 200 ms (§17.2.1). Only INVITEs have the timer.
 */
const INVITE_PROVISIONAL_TIMEOUT = '5s';

function answer(res: SipResponse, status: number, logger: Logger): void {
  if (res.finalResponseSent === true) return;
  try {
    res.send(status);
  } catch (error) {
    logger.error({ err: error, status }, 'could not answer a sip request');
  }
}

export function forwardToUpstream(options: ForwardOptions): SipHandler {
  const { upstreams, upstreamDown, policy, checkedMethods, logger } = options;

  function targetOf(req: SipRequest): UpstreamTarget {
    const tenancy = resolveTenant(requestDomain(req), policy, 'default');
    return upstreams.targetFor(tenancy.ok ? tenancy.tenant : undefined, req.uri);
  }

  return (req, res) => {
    const callId = req.get('Call-ID');
    let target: UpstreamTarget;
    try {
      // drachtio-server relays the requests of the dialogs it record-routed
      // without asking the application: a checked method carrying a To tag
      // that reaches here claims a dialog no one has, and is not let past
      // the check on the strength of that claim.
      if (checkedMethods.has(req.method) && isInDialog(req)) {
        logger.warn({ method: req.method, source_ip: req.source_address, call_id: callId }, 'sip request for an unknown dialog answered 481');
        return answer(res, NO_SUCH_DIALOG, logger);
      }
      target = targetOf(req);
    } catch (error) {
      logger.error({ err: error, method: req.method, call_id: callId }, 'could not route a sip request upstream');
      return answer(res, INTERNAL_ERROR, logger);
    }
    const { upstream, destination } = target;
    if (upstreamDown(upstream)) {
      logger.warn({ method: req.method, upstream, call_id: callId }, 'upstream down; sip request answered 503');
      return answer(res, UNAVAILABLE, logger);
    }
    const failed = (error: unknown): void => {
      logger.error({ err: error, method: req.method, destination, call_id: callId }, 'drachtio-server could not proxy a sip request upstream');
      answer(res, UNAVAILABLE, logger);
    };
    try {
      req.proxy({ destination, remainInDialog: true, provisionalTimeout: INVITE_PROVISIONAL_TIMEOUT }).then((result) => {
        const fields = { method: req.method, destination, final_status: result.finalStatus, call_id: callId };
        // drachtio-server has relayed the upstream's final answer (or its own 408/503) to the client.
        if (result.finalStatus === undefined || result.finalStatus >= 500) logger.warn(fields, 'upstream failed a proxied sip request');
        else logger.debug(fields, 'sip request proxied upstream');
      }, failed);
    } catch (error) {
      failed(error);
    }
  };
}
