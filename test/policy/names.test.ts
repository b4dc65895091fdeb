/**
 * Decisions through DNS name entries: what a name resolves to now (a
 * NameTable the resolver keeps) allows, after the list's own addresses and
 * blocks; nothing a name does not resolve to, and nothing before it resolves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ScopePolicy, type ScopePolicyInput, compileScopePolicy, decide } from '../../src/policy/decision.js';
import { formatAddress } from '../../src/policy/ip-address.js';
import { NameTable, canonicalAddresses } from '../../src/policy/name-table.js';

function policy(input: ScopePolicyInput): ScopePolicy {
  const result = compileScopePolicy(input);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

const ANNA = 'agent7.dyn.example.net';

describe('decide through a DNS name', () => {
  const p = policy({
    scope: 'sip',
    enabled: true,
    list: `203.0.113.0/24, Agent7.Dyn.Example.NET, hq.example.com`,
    descriptions: new Map([[ANNA, "Anna's home office"]]),
  });

  it('lists the names of a policy, canonical, by first slot', () => {
    expect([...p.names]).toEqual([
      [ANNA, 1],
      ['hq.example.com', 2],
    ]);
    expect(policy({ scope: 'sip', enabled: true, list: '10.0.0.0/8' }).names.size).toBe(0);
  });

  it('allows what the name resolves to now, saying which name and address, with the description', () => {
    const names = new NameTable();
    names.set(ANNA, ['198.51.100.7', '2001:db8::7']);
    expect(decide(p, '198.51.100.7', names)).toEqual({
      allow: true,
      reason: 'matched',
      entry: { value: 'Agent7.Dyn.Example.NET', description: "Anna's home office", resolved: { name: ANNA, address: '198.51.100.7' } },
    });
    expect(decide(p, '[2001:DB8:0::7]', names).entry?.resolved).toEqual({ name: ANNA, address: '2001:db8::7' });
    expect(decide(p, '::ffff:198.51.100.7', names).entry?.resolved).toEqual({ name: ANNA, address: '198.51.100.7' });
    expect(decide(p, '198.51.100.8', names)).toEqual({ allow: false, reason: 'no-match' });
    expect(decide(p, '2001:db8::8', names)).toEqual({ allow: false, reason: 'no-match' });
  });

  it('allows nothing through a name that resolves to nothing, or without a table', () => {
    const names = new NameTable();
    expect(decide(p, '198.51.100.7', names)).toEqual({ allow: false, reason: 'no-match' });
    names.set(ANNA, ['198.51.100.7']);
    expect(decide(p, '198.51.100.7')).toEqual({ allow: false, reason: 'no-match' });
    names.set(ANNA, []);
    expect(decide(p, '198.51.100.7', names)).toEqual({ allow: false, reason: 'no-match' });
  });

  it('lets a name allow nothing to a list that does not name it', () => {
    const names = new NameTable();
    names.set('other.example.org', ['198.51.100.7']);
    expect(decide(p, '198.51.100.7', names).allow).toBe(false);
  });

  it('prefers the address and block entries, then the first written name', () => {
    const names = new NameTable();
    names.set(ANNA, ['203.0.113.5', '192.0.2.1']);
    names.set('hq.example.com', ['192.0.2.1']);
    expect(decide(p, '203.0.113.5', names).entry).toEqual({ value: '203.0.113.0/24' });
    expect(decide(p, '192.0.2.1', names).entry?.resolved?.name).toBe(ANNA);
    names.set(ANNA, []);
    expect(decide(p, '192.0.2.1', names).entry).toEqual({ value: 'hq.example.com', resolved: { name: 'hq.example.com', address: '192.0.2.1' } });
  });

  it('counts a list of names only as entries: enabled, no name resolved, the scope denies (recordings too)', () => {
    const recordings = policy({ scope: 'recordings', enabled: true, list: ANNA });
    expect(decide(recordings, '192.0.2.1', new NameTable())).toEqual({ allow: false, reason: 'no-match' });
    expect(decide(policy({ scope: 'sip', enabled: false, list: ANNA }), '192.0.2.1')).toEqual({ allow: true, reason: 'scope-disabled' });
    expect(decide(recordings, 'garbage', new NameTable())).toEqual({ allow: false, reason: 'bad-source-address' });
  });
});

describe('NameTable', () => {
  it('keeps canonical addresses, IPv4 first and in numeric order, without repeats or garbage', () => {
    const names = new NameTable();
    names.set('a.example', ['10.0.0.10', '2001:DB8::1', '10.0.0.9', '::ffff:10.0.0.9', 'not an address', '10.0.0.10']);
    expect(names.addressesOf('a.example')).toEqual(['10.0.0.9', '10.0.0.10', '2001:db8::1']);
    expect(canonicalAddresses(['10.0.0.10', '10.0.0.9'])).toEqual(canonicalAddresses(['10.0.0.9', '10.0.0.10']));
  });

  it('answers by address for every name holding it, and forgets what a name no longer holds', () => {
    const names = new NameTable();
    const at = (address: string) => {
      const words = new Uint32Array(4);
      const [family, ...parts] = address.includes(':') ? [6, 0x20010db8, 0, 0, 1] : [4, Number(address.split('.').reduce((a, o) => a * 256 + Number(o), 0))];
      words.set(parts);
      return names.holdersAt(family as 4 | 6, words)?.map((holder) => holder.name);
    };
    names.set('a.example', ['192.0.2.1', '2001:db8::1']);
    names.set('b.example', ['192.0.2.1']);
    expect(at('192.0.2.1')).toEqual(['a.example', 'b.example']);
    expect(at('2001:db8::1')).toEqual(['a.example']);
    names.set('a.example', ['192.0.2.2']);
    expect(at('192.0.2.1')).toEqual(['b.example']);
    expect(at('2001:db8::1')).toBeUndefined();
    names.delete('b.example');
    expect(at('192.0.2.1')).toBeUndefined();
    expect(names.size).toBe(1);
  });

  it('decides like a list with the resolved addresses written in, whatever they are', () => {
    const address = fc.oneof(
      fc.integer({ min: 0, max: 0xffffffff }).map((n) => formatAddress(4, Uint32Array.of(n), 0)),
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }).map((w) => formatAddress(6, Uint32Array.from(w), 0)),
    );
    fc.assert(
      fc.property(fc.array(address, { maxLength: 8 }), fc.array(address, { maxLength: 4 }), (resolved, others) => {
        const named = policy({ scope: 'sip', enabled: true, list: '192.0.2.0/24, agent.example.net' });
        const written = policy({ scope: 'sip', enabled: true, list: ['192.0.2.0/24', ...resolved].join(',') });
        const names = new NameTable();
        names.set('agent.example.net', resolved);
        for (const source of [...resolved, ...others]) expect(decide(named, source, names).allow).toBe(decide(written, source).allow);
      }),
    );
  });
});
