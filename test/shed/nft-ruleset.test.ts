/**
 * The pure parts of the kernel ban sink: the ports it guards, the batch text
 * it hands nft, what it reads back from `nft -j`, and the diff between them.
 */
import { describe, expect, it } from 'vitest';
import { BAN_SINKS } from '../../src/config/ban-sink-config.js';
import { loadConfig } from '../../src/config/index.js';
import { kernelPrefixes } from '../../src/shed/exempt-prefixes.js';
import { parseGuardedPorts } from '../../src/shed/guarded-ports.js';
import { EXPIRY_TOLERANCE_MS, planMirror } from '../../src/shed/mirror-plan.js';
import { parseKernelTable } from '../../src/shed/nft-listing.js';
import { SEEN_SET_OF, changesBatch, exemptBatch, guardBatch, tableBatch } from '../../src/shed/nft-ruleset.js';

const LEASE = 3_600_000;
const NOW = 1_764_000_000_000;

describe('guarded ports', () => {
  it('reads protocol:port entries, each once, in order', () => {
    expect(parseGuardedPorts(' tcp:5061, UDP:5060,tcp:5060,udp:5060')).toEqual({ ok: true, ports: [{ protocol: 'tcp', port: 5060 }, { protocol: 'tcp', port: 5061 }, { protocol: 'udp', port: 5060 }] });
  });

  it.each(['sctp:5060', 'udp:0', 'udp:65536', 'udp', '5060', 'udp:50a'])('names the bad entry %s', (entry) => {
    const parsed = parseGuardedPorts(`udp:5060,${entry}`);
    expect(parsed).toEqual({ ok: false, message: expect.stringContaining(JSON.stringify(entry)) });
  });
});

describe('batch text', () => {
  it('replaces the whole table in one batch, rules per protocol and family, elements with their timeouts', () => {
    const text = tableBatch('sw1', { ports: [{ protocol: 'tcp', port: 5060 }, { protocol: 'tcp', port: 5061 }, { protocol: 'udp', port: 5060 }] }, [{ family: 4, address: '203.0.113.66', timeoutMs: 60_000 }]);
    expect(text).toBe(
      [
        'table inet sw1',
        'delete table inet sw1',
        'table inet sw1 {',
        '  set banned4 { type ipv4_addr; flags timeout; }',
        '  set banned6 { type ipv6_addr; flags timeout; }',
        '  chain input {',
        '    type filter hook input priority -10; policy accept;',
        '    udp dport { 5060 } ip saddr @banned4 drop',
        '    udp dport { 5060 } ip6 saddr @banned6 drop',
        '    tcp dport { 5060, 5061 } ip saddr @banned4 drop',
        '    tcp dport { 5060, 5061 } ip6 saddr @banned6 drop',
        '  }',
        '}',
        'add element inet sw1 banned4 { 203.0.113.66 timeout 1000ms }',
        'delete element inet sw1 banned4 { 203.0.113.66 }',
        'add element inet sw1 banned4 { 203.0.113.66 timeout 60000ms }',
        '',
      ].join('\n'),
    );
  });

  it('rewrites only the chain when the guarded ports grow', () => {
    expect(guardBatch('sw1', { ports: [{ protocol: 'udp', port: 5080 }] })).toBe(
      'flush chain inet sw1 input\nadd rule inet sw1 input udp dport { 5080 } ip saddr @banned4 drop\nadd rule inet sw1 input udp dport { 5080 } ip6 saddr @banned6 drop\n',
    );
  });

  it('meters UDP alone, past the bans, from sources neither exempt nor seen; its sets and elements in the same batch', () => {
    const meter = { rate: 200, burst: 400, exempt: [{ family: 4 as const, text: '10.0.0.0/8' }, { family: 6 as const, text: '2001:db8::/32' }] };
    const text = tableBatch('sw1', { ports: [{ protocol: 'tcp', port: 5060 }, { protocol: 'udp', port: 5060 }, { protocol: 'udp', port: 5080 }], meter }, [], [{ family: 4, address: '198.51.100.7', timeoutMs: 3_600_000 }]);
    expect(text).toBe(
      [
        'table inet sw1',
        'delete table inet sw1',
        'table inet sw1 {',
        '  set banned4 { type ipv4_addr; flags timeout; }',
        '  set banned6 { type ipv6_addr; flags timeout; }',
        '  set exempt4 { type ipv4_addr; flags interval; }',
        '  set seen4 { type ipv4_addr; flags timeout; }',
        '  set meter4 { type ipv4_addr; size 65535; flags dynamic,timeout; timeout 10s; }',
        '  set exempt6 { type ipv6_addr; flags interval; }',
        '  set seen6 { type ipv6_addr; flags timeout; }',
        '  set meter6 { type ipv6_addr; size 65535; flags dynamic,timeout; timeout 10s; }',
        '  chain input {',
        '    type filter hook input priority -10; policy accept;',
        '    udp dport { 5060, 5080 } ip saddr @banned4 drop',
        '    udp dport { 5060, 5080 } ip6 saddr @banned6 drop',
        '    tcp dport { 5060 } ip saddr @banned4 drop',
        '    tcp dport { 5060 } ip6 saddr @banned6 drop',
        '    udp dport { 5060, 5080 } ip saddr != @exempt4 ip saddr != @seen4 update @meter4 { ip saddr limit rate over 200/second burst 400 packets } counter drop',
        '    udp dport { 5060, 5080 } ip6 saddr != @exempt6 ip6 saddr != @seen6 update @meter6 { ip6 saddr limit rate over 200/second burst 400 packets } counter drop',
        '  }',
        '}',
        'add element inet sw1 seen4 { 198.51.100.7 timeout 1000ms }',
        'delete element inet sw1 seen4 { 198.51.100.7 }',
        'add element inet sw1 seen4 { 198.51.100.7 timeout 3600000ms }',
        'flush set inet sw1 exempt4',
        'add element inet sw1 exempt4 { 10.0.0.0/8 }',
        'flush set inet sw1 exempt6',
        'add element inet sw1 exempt6 { 2001:db8::/32 }',
        '',
      ].join('\n'),
    );
    // Without UDP ports there is nothing to meter.
    expect(guardBatch('sw1', { ports: [{ protocol: 'tcp', port: 5060 }], meter })).not.toContain('meter');
    expect(exemptBatch('sw1', [])).toBe('flush set inet sw1 exempt4\nflush set inet sw1 exempt6\n');
    expect(changesBatch('sw1', { upsert: [{ family: 6, address: '::1', timeoutMs: 5000 }], remove: [] }, SEEN_SET_OF)).toContain('add element inet sw1 seen6 { ::1 timeout 5000ms }');
  });

  it('exempts each block once: one inside another is left out, as are names', () => {
    expect(kernelPrefixes('10.1.2.3, 10.0.0.0/8, 192.0.2.0/24, 10.1.0.0/16, 2001:db8::1, 2001:db8::/32, 198.51.100.7')).toEqual({
      ok: true,
      prefixes: [
        { family: 4, text: '10.0.0.0/8' },
        { family: 4, text: '192.0.2.0/24' },
        { family: 6, text: '2001:db8::/32' },
        { family: 4, text: '198.51.100.7' },
      ],
    });
    expect(kernelPrefixes('')).toEqual({ ok: true, prefixes: [] });
    expect(kernelPrefixes('10.0.0.0/33')).toEqual({ ok: false, message: expect.stringContaining('10.0.0.0/33') });
  });

  it('adds before it deletes, so no change fails on an element that expired meanwhile', () => {
    const text = changesBatch('sw1', {
      upsert: [{ family: 6, address: '2001:db8::1', timeoutMs: 1500.4 }],
      remove: [{ family: 6, address: '2001:db8::2' }, { family: 4, address: '192.0.2.1' }],
    });
    expect(text).toBe(
      [
        'add element inet sw1 banned4 { 192.0.2.1 timeout 1000ms }',
        'delete element inet sw1 banned4 { 192.0.2.1 }',
        'add element inet sw1 banned6 { 2001:db8::1 timeout 1000ms, 2001:db8::2 timeout 1000ms }',
        'delete element inet sw1 banned6 { 2001:db8::1, 2001:db8::2 }',
        'add element inet sw1 banned6 { 2001:db8::1 timeout 1500ms }',
        '',
      ].join('\n'),
    );
    expect(changesBatch('sw1', { upsert: [], remove: [] })).toBe('');
  });
});

describe('what nft -j lists', () => {
  const listing = (table: string) =>
    JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6', json_schema_version: 1 } },
        { table: { family: 'inet', name: table } },
        { set: { family: 'inet', name: 'banned4', table, type: 'ipv4_addr', flags: ['timeout'], elem: [{ elem: { val: '127.0.0.3', timeout: 60, expires: 59 } }, '127.0.0.7'] } },
        { set: { family: 'inet', name: 'banned6', table, type: 'ipv6_addr', flags: ['timeout'] } },
        { set: { family: 'inet', name: 'other', table, type: 'ipv4_addr', elem: ['10.0.0.1'] } },
        { chain: { family: 'inet', table, name: 'input' } },
        { set: { family: 'inet', name: 'exempt4', table, type: 'ipv4_addr', flags: ['interval'], elem: [{ prefix: { addr: '10.0.0.0', len: 8 } }, '192.0.2.1'] } },
        { rule: { family: 'inet', table, chain: 'input', expr: [] } },
        {
          rule: {
            family: 'inet',
            table,
            chain: 'input',
            expr: [{ set: { op: 'update', elem: { payload: { protocol: 'ip', field: 'saddr' } }, set: '@meter4', stmt: [{ limit: { rate: 200, burst: 400, per: 'second', inv: true } }] } }, { counter: { packets: 1234, bytes: 99 } }, { drop: null }],
          },
        },
        { rule: { family: 'inet', table, chain: 'elsewhere', expr: [] } },
      ],
    });

  it('gives the ban sets\' elements with the time left, the chain\'s rules, the exempt elements and what the meter dropped', () => {
    const parsed = parseKernelTable(listing('sw1'), 'sw1');
    expect(parsed).toEqual({ ok: true, table: { elements: new Map([['127.0.0.3', 59_000], ['127.0.0.7', undefined]]), rules: 2, exempt: 2, meterDropped: 1234 } });
  });

  it('says what is wrong with output it cannot read', () => {
    expect(parseKernelTable('Error', 'sw1')).toEqual({ ok: false, message: expect.stringContaining('no JSON') });
    expect(parseKernelTable('{"x":1}', 'sw1')).toEqual({ ok: false, message: expect.stringContaining('"nftables"') });
  });
});

describe('mirror plan', () => {
  const kernel = (entries: Array<[string, number | undefined]>) => new Map(entries);

  it('writes missing bans with their remaining time, removes lifted ones, keeps the rest', () => {
    const bans = new Map<string, number | undefined>([
      ['203.0.113.1', NOW + 60_000],
      ['203.0.113.2', NOW + 30_000],
      ['2001:DB8:0:0::1', NOW + 10_000],
    ]);
    const plan = planMirror(bans, kernel([['203.0.113.2', 29_000], ['203.0.113.9', 50_000]]), NOW, LEASE);
    expect(plan).toEqual({
      upsert: [{ family: 4, address: '203.0.113.1', timeoutMs: 60_000 }, { family: 6, address: '2001:db8::1', timeoutMs: 10_000 }],
      remove: [{ family: 4, address: '203.0.113.9' }],
      kept: 1,
    });
  });

  it('rewrites an element whose expiry is off by more than the tolerance (a ban extended elsewhere)', () => {
    const bans = new Map([['203.0.113.1', NOW + 600_000]]);
    expect(planMirror(bans, kernel([['203.0.113.1', 600_000 - EXPIRY_TOLERANCE_MS + 1000]]), NOW, LEASE).upsert).toEqual([]);
    expect(planMirror(bans, kernel([['203.0.113.1', 60_000]]), NOW, LEASE).upsert).toEqual([{ family: 4, address: '203.0.113.1', timeoutMs: 600_000 }]);
    // An element without a timeout (added by hand) is given one.
    expect(planMirror(bans, kernel([['203.0.113.1', undefined]]), NOW, LEASE).upsert).toHaveLength(1);
  });

  it('mirrors a ban without an expiry for a lease, renewed once half of it has run', () => {
    const bans = new Map([['203.0.113.1', undefined]]);
    expect(planMirror(bans, kernel([]), NOW, LEASE).upsert).toEqual([{ family: 4, address: '203.0.113.1', timeoutMs: LEASE }]);
    expect(planMirror(bans, kernel([['203.0.113.1', LEASE / 2 + 1000]]), NOW, LEASE).upsert).toEqual([]);
    expect(planMirror(bans, kernel([['203.0.113.1', LEASE / 2 - 1000]]), NOW, LEASE).upsert).toHaveLength(1);
  });

  it('leaves out what is no address, and bans about to expire; an IPv4-mapped address is its IPv4 address', () => {
    const bans = new Map<string, number | undefined>([['10.0.0.0/8', undefined], ['scanner.example', undefined], ['203.0.113.5', NOW + 500], ['::ffff:198.51.100.7', NOW + 5000]]);
    expect(planMirror(bans, kernel([['203.0.113.5', 1000]]), NOW, LEASE)).toEqual({
      upsert: [{ family: 4, address: '198.51.100.7', timeoutMs: 5000 }],
      remove: [{ family: 4, address: '203.0.113.5' }],
      kept: 0,
    });
  });
});

describe('configuration', () => {
  const base = { DRACHTIO_SECRET: 's', SIP_UPSTREAM: 'pbx:5060', REDIS_URL: 'redis://127.0.0.1:6379', SIPWARDEN_AUTOBAN: 'on' };

  it('defaults to the edge alone; nftables takes a table and, optionally, ports', () => {
    const edge = loadConfig(base);
    expect(edge.ok && edge.config.banSink).toEqual({ kind: 'edge' });
    const kernel = loadConfig({ ...base, SIPWARDEN_BAN_SINK: 'nftables' });
    expect(kernel.ok && kernel.config.banSink).toEqual({ kind: 'nftables', table: 'sipwarden', sourceRate: 200, sourceBurst: 50 });
    const ported = loadConfig({ ...base, SIPWARDEN_BAN_SINK: 'nftables', SIPWARDEN_NFT_TABLE: 'shed_1', SIPWARDEN_NFT_PORTS: 'udp:5060', SIPWARDEN_NFT_SOURCE_RATE: '50' });
    expect(ported.ok && ported.config.banSink).toEqual({ kind: 'nftables', table: 'shed_1', ports: [{ protocol: 'udp', port: 5060 }], sourceRate: 50, sourceBurst: 13 });
    const off = loadConfig({ ...base, SIPWARDEN_BAN_SINK: 'nftables', SIPWARDEN_NFT_SOURCE_RATE: '0', SIPWARDEN_NFT_SOURCE_BURST: '7' });
    expect(off.ok && off.config.banSink).toEqual({ kind: 'nftables', table: 'sipwarden', sourceRate: 0, sourceBurst: 7 });
    expect(BAN_SINKS).toEqual(['edge', 'nftables']);
  });

  it.each([
    [{ SIPWARDEN_BAN_SINK: 'iptables' }, 'SIPWARDEN_BAN_SINK: expected one of edge, nftables, got "iptables"'],
    [{ SIPWARDEN_NFT_TABLE: 'my table;' }, 'SIPWARDEN_NFT_TABLE: expected an nftables table name'],
    [{ SIPWARDEN_NFT_PORTS: 'udp:5060,tcp:99999' }, 'SIPWARDEN_NFT_PORTS: "tcp:99999" is not protocol:port'],
    [{ SIPWARDEN_NFT_SOURCE_RATE: '-5' }, 'SIPWARDEN_NFT_SOURCE_RATE: expected a whole number from 0 to 1000000, got "-5"'],
    [{ SIPWARDEN_NFT_SOURCE_RATE: '1.5/s' }, 'SIPWARDEN_NFT_SOURCE_RATE: expected a whole number'],
    [{ SIPWARDEN_NFT_SOURCE_BURST: '0' }, 'SIPWARDEN_NFT_SOURCE_BURST: expected a whole number from 1 to 2000000, got "0"'],
    [{ SIPWARDEN_BAN_SINK: 'nftables', SIPWARDEN_AUTOBAN: 'off' }, 'SIPWARDEN_BAN_SINK: nftables mirrors the ban list of auto-ban'],
  ])('refuses %o, naming the bad value', (env, message) => {
    const loaded = loadConfig({ ...base, ...env });
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.errors).toEqual([expect.stringContaining(message)]);
  });
});
