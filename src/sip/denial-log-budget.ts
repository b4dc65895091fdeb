/**
 * How many "sip request denied" lines the edge writes per second. A line is
 * the costliest part of a denial (~10 µs of JSON and I/O against ~2 µs for
 * the decision itself, measured on drachtio-srf's own request objects), and a
 * flood of 10,000 denials a second must not become 10,000 log lines. Past the
 * budget a denial is still decided, answered, counted by the decision metrics
 * and kept by the record of who is knocking; only its line is skipped,
 * counted, and summed up in one line every ten seconds. Allowed requests,
 * spoof attempts and failed checks are always logged.
 */
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { sharedMetric } from './shared-metric.js';

const SUMMARY_EVERY_MS = 10_000;
export const UNLOGGED_METRIC = 'sipwarden_sip_denials_unlogged_total';

export class DenialLogBudget {
  private tokens: number;
  private refilledAt = 0;
  private skipped = 0;
  /** When the first line since the last summary was skipped. */
  private skippingSince = 0;
  private readonly unlogged: Counter;

  /** `perSecond` lines a second, in bursts of as many; 0: no limit. */
  constructor(
    private readonly perSecond: number,
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.tokens = perSecond;
    this.unlogged = sharedMetric(
      registry,
      UNLOGGED_METRIC,
      () => new Counter({ name: UNLOGGED_METRIC, help: 'Denials whose log line was skipped: past SIPWARDEN_DENIAL_LOG_RATE lines a second (still decided, answered and counted).', registers: [registry] }),
    );
  }

  /** True when this denial's line may be written; else it is counted as skipped. */
  take(now = Date.now()): boolean {
    if (this.perSecond === 0) return true;
    if (now > this.refilledAt) {
      this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
      this.refilledAt = now;
    }
    if (this.skipped > 0 && now - this.skippingSince >= SUMMARY_EVERY_MS) this.summarise(now);
    if (this.tokens >= 1) {
      this.tokens--;
      return true;
    }
    if (this.skipped++ === 0) this.skippingSince = now;
    this.unlogged.inc();
    return false;
  }

  private summarise(now: number): void {
    this.log.warn({ event: 'sip_access_unlogged', skipped: this.skipped, seconds: Math.round((now - this.skippingSince) / 1000), limit: this.perSecond }, 'sip denials not logged one by one (past SIPWARDEN_DENIAL_LOG_RATE a second); counted in the metrics');
    this.skipped = 0;
  }
}
