/**
 * Flushes the edge's denied-source table (denied-sources.ts) into the store
 * at an interval, one flush at a time. A flush that fails (Redis down) puts
 * its rows back, so their counts go with the next one; it never touches a
 * decision, which the filter made before the row was noted.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeniedSource } from '../store/denied-log.js';
import type { DeniedSourceTable } from './denied-sources.js';
import { sharedMetric } from './shared-metric.js';

/** Where the rows go: the tenant records in Redis (RedisDeniedLog). */
export interface DeniedSink {
  add(rows: readonly DeniedSource[]): Promise<void>;
}

export class DeniedReporter {
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stopped = false;
  private readonly flushes: Counter<'outcome'>;
  private readonly evictions: Counter;

  constructor(
    private readonly table: DeniedSourceTable,
    private readonly sink: DeniedSink,
    private readonly intervalMs: number,
    private readonly log: Logger,
    registry: Registry,
  ) {
    this.flushes = sharedMetric(registry, 'sipwarden_denied_flushes_total', () => new Counter({ name: 'sipwarden_denied_flushes_total', help: "Flushes of the edge's denied-source table into the store, by outcome (ok, failed: its rows wait for the next).", labelNames: ['outcome'], registers: [registry] }));
    this.evictions = sharedMetric(registry, 'sipwarden_denied_evictions_total', () => new Counter({ name: 'sipwarden_denied_evictions_total', help: 'Denied sources that lost their slot in the full table to a new one (a scan wider than SIPWARDEN_DENIED_TABLE_SIZE).', registers: [registry] }));
    sharedMetric(registry, 'sipwarden_denied_sources', () => new Gauge({ name: 'sipwarden_denied_sources', help: 'Sources in the edge\'s denied-source table now, waiting for the next flush.', registers: [registry], collect() { this.set(table.size); } }));
  }

  start(): void {
    this.schedule();
  }

  /** Stops the timer and makes a last flush, so a clean stop loses no count. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.flushing;
    await this.flush();
  }

  /** Sends what the table holds now; resolves when the store has it (or the attempt failed). */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.flush().then(() => this.schedule()), this.intervalMs);
    this.timer.unref();
  }

  private async send(): Promise<void> {
    if (this.table.evicted > 0) this.evictions.inc(this.table.evicted);
    const rows = this.table.drain();
    if (rows.length === 0) return;
    try {
      await this.sink.add(rows);
      this.flushes.inc({ outcome: 'ok' });
    } catch (err) {
      this.table.restore(rows);
      this.flushes.inc({ outcome: 'failed' });
      this.log.warn({ err: (err as Error).message, sources: rows.length }, 'denied sources not recorded; kept for the next flush');
    }
  }
}
