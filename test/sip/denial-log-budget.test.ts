/**
 * Denial log lines under a flood (issue 14): past SIPWARDEN_DENIAL_LOG_RATE
 * lines a second, denials are still decided, answered 403 and counted, but
 * their lines are skipped, counted, and summed up; allowed requests, spoof
 * attempts and the denied-sources record are untouched. Real drachtio-srf
 * request objects through the real filter.
 */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { accessFilter } from '../../src/sip/access-filter.js';
import { ACCESS_DECISIONS_METRIC } from '../../src/sip/access-metrics.js';
import { DenialLogBudget, UNLOGGED_METRIC } from '../../src/sip/denial-log-budget.js';
import { DeniedSourceTable } from '../../src/sip/denied-sources.js';
import { dispatch, fixture } from './drachtio-message.js';
import { announcedListeners, capturedLog, overUdp, tenantsView } from './harness.js';

const metricTotal = async (registry: Registry, name: string, labels: Record<string, string> = {}) => {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l)).reduce((sum, v) => sum + v.value, 0);
};

describe('denial log budget', () => {
  it('writes at most the rate of denial lines, answers and counts every denial, and logs every allowed request', async () => {
    const log = capturedLog();
    const registry = new Registry();
    const table = new DeniedSourceTable(16);
    const filter = accessFilter({ policy: tenantsView(), listeners: announcedListeners(), logger: log.logger, registry, denialLogRate: 5, deniedSources: table });
    const REGISTER = fixture('deskphone-udp-register.sip');
    const started = Date.now();
    const denied = Array.from({ length: 100 }, () => dispatch(filter, REGISTER, overUdp('203.0.113.200')));
    const allowed = Array.from({ length: 20 }, () => dispatch(filter, REGISTER, overUdp('198.51.100.20')));
    expect(denied.every((d) => d.status === 403)).toBe(true);
    expect(allowed.every((a) => a.passed)).toBe(true);
    // 5 a second: the burst of 5, and what the budget refilled while the loop ran (a loaded machine is slow).
    const refilled = Math.floor(((Date.now() - started) / 1000) * 5);
    const lines = log.lines.filter((l) => l.event === 'sip_access');
    const denials = lines.filter((l) => l.result === 'deny').length;
    expect(denials).toBeGreaterThanOrEqual(5);
    expect(denials).toBeLessThanOrEqual(5 + refilled);
    expect(lines.filter((l) => l.result === 'allow')).toHaveLength(20);
    expect(await metricTotal(registry, UNLOGGED_METRIC)).toBe(100 - denials);
    expect(await metricTotal(registry, ACCESS_DECISIONS_METRIC, { result: 'deny' })).toBe(100);
    expect(table.drain()).toEqual([expect.objectContaining({ address: '203.0.113.200', count: 100 })]);
  });

  it('refills at the rate and sums up the skipped lines in one line every ten seconds', () => {
    const log = capturedLog();
    const budget = new DenialLogBudget(10, log.logger, new Registry());
    const start = 1_000_000;
    let written = 0;
    for (let ms = 0; ms < 3000; ms++) if (budget.take(start + ms)) written++;
    // A burst of 10, then 10 a second for 3 s.
    expect(written).toBeGreaterThanOrEqual(38);
    expect(written).toBeLessThanOrEqual(40);
    expect(log.lines).toEqual([]);
    budget.take(start + 10_500);
    expect(log.lines).toEqual([expect.objectContaining({ event: 'sip_access_unlogged', limit: 10, skipped: 3000 - written })]);
  });

  it('writes every line with a rate of 0', () => {
    const budget = new DenialLogBudget(0, capturedLog().logger, new Registry());
    expect(Array.from({ length: 1000 }, () => budget.take()).every(Boolean)).toBe(true);
  });
});
