/**
 * Prometheus counter of the requests the edge answered itself, after the
 * access check let them by, instead of proxying them.
 */
import { Counter, type Registry } from 'prom-client';
import { sharedMetric } from './shared-metric.js';

export const SIP_REFUSED_METRIC = 'sipwarden_sip_refused_total';

/**
 * - `request-uri-too-long`: the Request-URI is too long to hand to drachtio-server (414).
 * - `uri-headers`: the Request-URI carries header fields (400).
 * - `bad-extension`: Proxy-Require names an extension the edge lacks (420).
 * - `too-many-hops`: Max-Forwards is 0 (483).
 * - `no-such-dialog`: an in-dialog request naming a dialog nobody has (481).
 * - `upstream-down`: the tenant's upstream does not answer its probes (503).
 * - `internal-error`: routing the request failed (500).
 */
export type RefusalReason = 'request-uri-too-long' | 'uri-headers' | 'bad-extension' | 'too-many-hops' | 'no-such-dialog' | 'upstream-down' | 'internal-error';

export class RefusalMetrics {
  private readonly refused: Counter<'reason' | 'method'>;

  constructor(registry: Registry) {
    this.refused = sharedMetric(
      registry,
      SIP_REFUSED_METRIC,
      () =>
        new Counter({
          name: SIP_REFUSED_METRIC,
          help: 'SIP requests the edge answered itself instead of proxying them, by reason and method. Methods are only those the edge routes, so the label is bounded.',
          labelNames: ['reason', 'method'],
          registers: [registry],
        }),
    );
  }

  count(reason: RefusalReason, method: string): void {
    this.refused.inc({ reason, method });
  }
}
