/**
 * The final responses the edge gives itself (RFC 3261 §8.2.6), sent so that
 * whatever the request carried, the command to drachtio-server stays small.
 *
 * drachtio-srf's Response copies the request's Call-ID, CSeq, From and To
 * into every response it sends over the control link (lib/response.js).
 * drachtio-server builds a response's dialog headers from the request itself
 * (sofia nta completes them, §8.2.6.2) and ignores those copies, yet still
 * has to read them: a request with 7 KB From and To headers would turn a 403
 * into a 14 KB command, more than drachtio-server's client buffer takes (see
 * drachtio-command.ts), and it would drop the edge. The copies are removed.
 */
import type { Logger } from 'pino';
import type { SipRequest, SipResponse } from './sip-request.js';

/**
 * The headers drachtio-srf copies, under the names it stores them by: its
 * parser's getHeaderName lower-cases every name but X- and P- ones.
 */
const ECHOED_HEADERS: readonly string[] = ['call-id', 'cseq', 'from', 'to'];

/**
 * Sends `status` unless a final response already went out. Never throws: a
 * failure to answer is logged (the client then retransmits or times out).
 */
export function answer(req: SipRequest, res: SipResponse, status: number, logger: Logger, headers?: Readonly<Record<string, string>>): void {
  if (res.finalResponseSent === true) return;
  try {
    const copied = res.msg.headers;
    for (const name of ECHOED_HEADERS) delete copied[name];
    if (headers === undefined) res.send(status);
    else res.send(status, { headers });
  } catch (error) {
    logger.error({ err: error, status, method: req.method, source_ip: req.source_address }, 'could not answer a sip request');
  }
}
