/**
 * NameResolver's rules on a scripted DNS (fake timers, so TTLs and grace
 * periods of minutes take no time): TTL clamps, grace then drop per record
 * type, the address cap, sharing, forgetting, and what each outcome counts.
 * test/store/list-cache-names.test.ts runs the same against a real dnsmasq.
 */
import type { RecordWithTtl } from 'node:dns';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DnsClient, RecordType } from '../../src/dns/dns-query.js';
import { NameResolver, type NameResolverSettings, resolveOnce } from '../../src/dns/name-resolver.js';
import { parseDnsServers } from '../../src/dns/dns-servers.js';
import { capturingLogger } from '../support/logger.js';

type Answer = readonly RecordWithTtl[] | string;

/** A DNS answering from a table the test edits: records, or an error code (ENOTFOUND, ESERVFAIL, …). */
class ScriptedDns implements DnsClient {
  readonly answers = new Map<string, Answer>();
  readonly asked: string[] = [];

  set(name: string, type: RecordType, answer: Answer): this {
    this.answers.set(`${type} ${name}`, answer);
    return this;
  }

  resolve4(name: string): Promise<RecordWithTtl[]> {
    return this.answer('A', name);
  }

  resolve6(name: string): Promise<RecordWithTtl[]> {
    return this.answer('AAAA', name);
  }

  cancel(): void {}

  private async answer(type: RecordType, name: string): Promise<RecordWithTtl[]> {
    this.asked.push(`${type} ${name}`);
    const answer = this.answers.get(`${type} ${name}`) ?? 'ENOTFOUND';
    if (typeof answer === 'string') throw Object.assign(new Error(`query${type} ${answer} ${name}`), { code: answer });
    return [...answer];
  }
}

const records = (ttl: number, ...addresses: string[]) => addresses.map((address) => ({ address, ttl }));

/** A grace period that is no multiple of the retry interval: the drop comes from its own timer. */
const SETTINGS: Partial<NameResolverSettings> = { minTtlMs: 10_000, maxTtlMs: 300_000, graceMs: 45_000, maxAddresses: 4 };

function resolverOn(dns: ScriptedDns, settings: Partial<NameResolverSettings> = SETTINGS) {
  const { logger, lines } = capturingLogger();
  const registry = new Registry();
  const resolver = new NameResolver({ ...settings, logger, registry, client: dns });
  return { resolver, lines, registry };
}

async function metric(registry: Registry, name: string): Promise<string> {
  return (await registry.getSingleMetricAsString(name)) ?? '';
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-01T10:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('NameResolver', () => {
  it('resolves a name when it comes into use, A and AAAA, and refreshes it on its TTL', async () => {
    const dns = new ScriptedDns().set('a.example', 'A', records(60, '198.51.100.7')).set('a.example', 'AAAA', records(30, '2001:db8::7'));
    const { resolver } = resolverOn(dns);
    expect(resolver.status('a.example')).toBeUndefined();
    resolver.use('acme/sip', ['a.example']);
    expect(resolver.status('a.example')?.state).toBe('pending');
    await resolver.settled();
    expect(resolver.status('a.example')).toMatchObject({
      state: 'resolved',
      addresses: ['198.51.100.7', '2001:db8::7'],
      resolvedAt: Date.now(),
      nextCheckAt: Date.now() + 30_000,
    });
    dns.set('a.example', 'A', records(60, '198.51.100.8'));
    await vi.advanceTimersByTimeAsync(29_000);
    expect(resolver.status('a.example')?.addresses).toContain('198.51.100.7');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(resolver.status('a.example')?.addresses).toEqual(['198.51.100.8', '2001:db8::7']);
    expect(dns.asked).toEqual(['A a.example', 'AAAA a.example', 'A a.example', 'AAAA a.example']);
  });

  it.each([
    [0, 10_000],
    [5, 10_000],
    [120, 120_000],
    [86_400, 300_000],
  ])('clamps a TTL of %i s to a refresh after %i ms', async (ttl, refreshMs) => {
    const dns = new ScriptedDns().set('a.example', 'A', records(ttl, '198.51.100.7')).set('a.example', 'AAAA', 'ENODATA');
    const { resolver } = resolverOn(dns);
    resolver.use('l', ['a.example']);
    await resolver.settled();
    expect(resolver.status('a.example')!.nextCheckAt! - Date.now()).toBe(refreshMs);
  });

  it('keeps the last good addresses through a failure for the grace period, then drops them, logged and counted', async () => {
    const dns = new ScriptedDns().set('a.example', 'A', records(10, '198.51.100.7')).set('a.example', 'AAAA', 'ENODATA');
    const { resolver, lines, registry } = resolverOn(dns);
    resolver.use('l', ['a.example']);
    await resolver.settled();
    const resolvedAt = Date.now();
    dns.set('a.example', 'A', 'ESERVFAIL').set('a.example', 'AAAA', 'ESERVFAIL');
    await vi.advanceTimersByTimeAsync(10_000);
    const failingSince = Date.now();
    expect(resolver.status('a.example')).toMatchObject({
      state: 'grace',
      addresses: ['198.51.100.7'],
      resolvedAt,
      failingSince,
      failure: 'servfail',
      graceUntil: failingSince + 45_000,
    });
    expect(await metric(registry, 'sipwarden_dns_name_grace_seconds')).toContain('sipwarden_dns_name_grace_seconds{name="a.example"} 45');
    expect(lines().find((l) => l.msg === 'DNS name fails to resolve: its last addresses stay allowed for the grace period')).toMatchObject({
      name: 'a.example',
      keeping: ['198.51.100.7'],
    });
    // Retried every minTtlMs meanwhile, then dropped exactly at the end of the grace period.
    await vi.advanceTimersByTimeAsync(44_999);
    expect(resolver.table.holdersAt(4, Uint32Array.of(0xc6336407))).toEqual([{ name: 'a.example', address: '198.51.100.7' }]);
    await vi.advanceTimersByTimeAsync(1);
    expect(resolver.status('a.example')).toMatchObject({ state: 'failed', addresses: [], failure: 'servfail' });
    expect(resolver.table.holdersAt(4, Uint32Array.of(0xc6336407))).toBeUndefined();
    expect(lines().filter((l) => String(l.msg).startsWith('DNS name failed to resolve past the grace period'))).toHaveLength(1);
    expect(await metric(registry, 'sipwarden_dns_names_dropped_total')).toMatch(/sipwarden_dns_names_dropped_total 1$/m);
    expect(await metric(registry, 'sipwarden_dns_name_grace_seconds')).not.toContain('a.example');
    // The first failure and the retries at 10, 20, 30 and 40 s.
    expect(await metric(registry, 'sipwarden_dns_resolutions_total')).toMatch(/\{type="A",outcome="servfail"\} 5$/m);
    // It comes back as soon as it resolves again.
    dns.set('a.example', 'A', records(10, '198.51.100.9')).set('a.example', 'AAAA', 'ENODATA');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(resolver.status('a.example')).toMatchObject({ state: 'resolved', addresses: ['198.51.100.9'] });
    expect(resolver.status('a.example')).not.toHaveProperty('failure');
  });

  it('keeps what one record type resolved while the other fails, and takes the fresh answer of the one that works', async () => {
    const dns = new ScriptedDns().set('a.example', 'A', records(10, '198.51.100.7')).set('a.example', 'AAAA', records(10, '2001:db8::7'));
    const { resolver } = resolverOn(dns);
    resolver.use('l', ['a.example']);
    await resolver.settled();
    dns.set('a.example', 'A', records(10, '198.51.100.8')).set('a.example', 'AAAA', 'ETIMEOUT');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(resolver.status('a.example')).toMatchObject({ state: 'grace', addresses: ['198.51.100.8', '2001:db8::7'], failure: 'AAAA timeout' });
    await vi.advanceTimersByTimeAsync(45_000);
    expect(resolver.status('a.example')).toMatchObject({ state: 'failed', addresses: ['198.51.100.8'] });
  });

  it('lets a name that never resolved allow nothing, and reads NODATA as an answer', async () => {
    const dns = new ScriptedDns().set('v4.example', 'A', records(10, '192.0.2.4')).set('v4.example', 'AAAA', 'ENODATA');
    const { resolver, lines } = resolverOn(dns);
    resolver.use('l', ['missing.example', 'v4.example']);
    await resolver.settled();
    expect(resolver.status('missing.example')).toMatchObject({ state: 'failed', addresses: [], failure: 'nxdomain' });
    expect(resolver.status('missing.example')).not.toHaveProperty('resolvedAt');
    expect(resolver.status('v4.example')).toMatchObject({ state: 'resolved', addresses: ['192.0.2.4'] });
    expect(lines().find((l) => l.name === 'missing.example')?.msg).toBe('DNS name does not resolve: it allows nothing until it does');
  });

  it('takes at most maxAddresses, the lowest, and logs what it cut when that changes', async () => {
    const many = Array.from({ length: 6 }, (_, i) => `192.0.2.${20 - i}`);
    const dns = new ScriptedDns().set('many.example', 'A', records(10, ...many)).set('many.example', 'AAAA', records(10, '2001:db8::1'));
    const { resolver, lines, registry } = resolverOn(dns);
    resolver.use('l', ['many.example']);
    await resolver.settled();
    expect(resolver.status('many.example')).toMatchObject({
      addresses: ['192.0.2.15', '192.0.2.16', '192.0.2.17', '192.0.2.18'],
      cut: ['192.0.2.19', '192.0.2.20', '2001:db8::1'],
    });
    await vi.advanceTimersByTimeAsync(10_000);
    const cutLogs = lines().filter((l) => String(l.msg).startsWith('DNS name resolves to more than 4 addresses'));
    expect(cutLogs).toHaveLength(1);
    expect(cutLogs[0]).toMatchObject({ name: 'many.example', resolved: 7, kept: 4, cut: ['192.0.2.19', '192.0.2.20', '2001:db8::1'] });
    expect(await metric(registry, 'sipwarden_dns_addresses_cut_total')).toMatch(/ 6$/m);
  });

  it('resolves a name once for every list using it, and forgets it when the last one stops', async () => {
    const dns = new ScriptedDns().set('a.example', 'A', records(10, '192.0.2.1')).set('a.example', 'AAAA', 'ENODATA');
    const { resolver, registry } = resolverOn(dns);
    resolver.use('acme/sip', ['a.example']);
    resolver.use('initech/webrtc', ['a.example']);
    await resolver.settled();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dns.asked.filter((q) => q === 'A a.example')).toHaveLength(2);
    expect(await metric(registry, 'sipwarden_dns_names')).toContain('sipwarden_dns_names{state="resolved"} 1');
    resolver.use('acme/sip', []);
    expect(resolver.status('a.example')?.state).toBe('resolved');
    resolver.use('initech/webrtc', ['b.example']);
    expect(resolver.status('a.example')).toBeUndefined();
    expect(resolver.table.holdersAt(4, Uint32Array.of(0xc0000201))).toBeUndefined();
    await resolver.settled();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dns.asked.filter((q) => q === 'A a.example')).toHaveLength(2);
    resolver.stop();
  });

  it('resolves a name out of turn on request, and nothing for a name not in use', async () => {
    const dns = new ScriptedDns().set('a.example', 'A', records(300, '192.0.2.1')).set('a.example', 'AAAA', 'ENODATA');
    const { resolver } = resolverOn(dns);
    resolver.use('l', ['a.example']);
    await resolver.settled();
    dns.set('a.example', 'A', records(300, '192.0.2.2'));
    await resolver.refresh('a.example');
    expect(resolver.status('a.example')?.addresses).toEqual(['192.0.2.2']);
    await resolver.refresh('other.example');
    expect(dns.asked).toHaveLength(4);
  });

  it('counts every query by type and outcome', async () => {
    const dns = new ScriptedDns()
      .set('a.example', 'A', records(10, '192.0.2.1'))
      .set('a.example', 'AAAA', 'ENODATA')
      .set('b.example', 'A', 'EREFUSED')
      .set('b.example', 'AAAA', 'ECONNREFUSED');
    const { resolver, registry } = resolverOn(dns);
    resolver.use('l', ['a.example', 'b.example', 'c.example']);
    await resolver.settled();
    const text = await metric(registry, 'sipwarden_dns_resolutions_total');
    for (const [type, outcome] of [['A', 'ok'], ['AAAA', 'no-data'], ['A', 'refused'], ['AAAA', 'unreachable'], ['A', 'nxdomain'], ['AAAA', 'nxdomain']]) {
      expect(text).toContain(`sipwarden_dns_resolutions_total{type="${type}",outcome="${outcome}"} 1`);
    }
    expect(resolver.status('b.example')?.failure).toBe('A refused, AAAA unreachable');
  });

  it('resolves names once, for a process without a cache', async () => {
    const dns = new ScriptedDns().set('a.example', 'A', records(10, '192.0.2.1')).set('a.example', 'AAAA', 'ENODATA');
    const once = await resolveOnce(['a.example', 'missing.example'], { logger: capturingLogger().logger, client: dns });
    expect(once.statuses.map((s) => [s.name, s.state, s.addresses])).toEqual([
      ['a.example', 'resolved', ['192.0.2.1']],
      ['missing.example', 'failed', []],
    ]);
    expect(once.table.holdersAt(4, Uint32Array.of(0xc0000201))).toEqual([{ name: 'a.example', address: '192.0.2.1' }]);
  });
});

describe('parseDnsServers', () => {
  it('takes ip[:port] and IPv6 with a port in brackets, in the form dns.Resolver takes', () => {
    expect(parseDnsServers(['192.0.2.53', '192.0.2.53:5353', '2001:db8::53', '[2001:db8::53]:53'])).toEqual({
      ok: true,
      servers: ['192.0.2.53', '192.0.2.53:5353', '2001:db8::53', '[2001:db8::53]:53'],
    });
  });

  it.each(['dns.example', '192.0.2.53:0', '192.0.2.53:70000', '[192.0.2.53', '010.0.0.1', '192.0.2.53:x'])('refuses %j', (bad) => {
    expect(parseDnsServers(['192.0.2.1', bad])).toEqual({ ok: false, bad });
  });
});
