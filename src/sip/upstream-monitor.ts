/**
 * Keeps track of which upstreams answer, by probing each with OPTIONS
 * (RFC 3261 §11) through drachtio-server, so the edge can answer
 * `503 Service Unavailable` (§21.5.4) at once while an upstream is down.
 *
 * drachtio-server's proxy cannot be relied on for that: once a request is
 * proxied the application can no longer answer it, and drachtio-server
 * (v0.9.10) ends a non-INVITE client transaction to a dead upstream on
 * timer F without answering the client at all, and an INVITE with a 408
 * only after timer B (32 s).
 */
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import { sharedMetric } from './shared-metric.js';

export const UPSTREAM_UP_METRIC = 'sipwarden_sip_upstream_up';

/** A response to a probe, as drachtio-srf reports it. */
interface ProbeResponse {
  readonly status: number;
}

/** The part of drachtio-srf's Srf a probe needs (lib/srf.js `request`). */
export interface SrfRequester {
  request(
    uri: string,
    options: { readonly method: 'OPTIONS' },
    callback: (error: Error | null | undefined, request: { on(event: 'response', listener: (response: ProbeResponse) => void): void }) => void,
  ): unknown;
}

export interface UpstreamMonitorOptions {
  readonly upstreams: readonly string[];
  readonly intervalMs: number;
  /** Probes go out only while drachtio-server is connected. */
  readonly connected: () => boolean;
  readonly logger: Logger;
  readonly registry: Registry;
}

/**
 * Statuses that say the upstream cannot serve: 503 is what drachtio-server
 * answers itself for a refused connection or a DNS failure, and what an
 * overloaded server answers; 408 is a probe that timed out inside drachtio.
 */
function meansDown(status: number): boolean {
  return status === 503 || status === 408;
}

export class UpstreamMonitor {
  private readonly down = new Set<string>();
  private readonly gauge: Gauge<'upstream'>;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly srf: SrfRequester,
    private readonly options: UpstreamMonitorOptions,
  ) {
    this.gauge = sharedMetric(
      options.registry,
      UPSTREAM_UP_METRIC,
      () =>
        new Gauge({
          name: UPSTREAM_UP_METRIC,
          help: 'Whether the upstream answered the last OPTIONS probe (1) or not (0).',
          labelNames: ['upstream'],
          registers: [options.registry],
        }),
    );
    this.timer = setInterval(() => this.probeAll(), options.intervalMs);
  }

  /** True while the last probe of `upstream` failed. Unprobed upstreams count as up. */
  isDown(upstream: string): boolean {
    return this.down.has(upstream);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private probeAll(): void {
    if (!this.options.connected()) return;
    for (const upstream of this.options.upstreams) this.probe(upstream);
  }

  private probe(upstream: string): void {
    // No answer within one interval counts as down; a late answer still counts.
    const deadline = setTimeout(() => this.record(upstream, false, 'no answer'), this.options.intervalMs);
    const settle = (up: boolean, detail: string) => {
      clearTimeout(deadline);
      this.record(upstream, up, detail);
    };
    try {
      this.srf.request(upstream, { method: 'OPTIONS' }, (error, request) => {
        if (error) return settle(false, error.message);
        request.on('response', (response) => settle(!meansDown(response.status), `status ${response.status}`));
      });
    } catch (error) {
      // drachtio-srf throws when the connection went away between the check and the request.
      clearTimeout(deadline);
      this.options.logger.debug({ err: error, upstream }, 'could not probe an upstream');
    }
  }

  private record(upstream: string, up: boolean, detail: string): void {
    this.gauge.set({ upstream }, up ? 1 : 0);
    const wasDown = this.down.has(upstream);
    if (up && wasDown) {
      this.down.delete(upstream);
      this.options.logger.info({ upstream, probe: detail }, 'upstream answers again');
    } else if (!up && !wasDown) {
      this.down.add(upstream);
      this.options.logger.warn({ upstream, probe: detail }, 'upstream does not answer; requests for it get 503 until it does');
    }
  }
}
