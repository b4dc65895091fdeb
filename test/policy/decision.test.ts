import { describe, expect, it } from 'vitest';
import { type ScopePolicy, type ScopePolicyInput, compileScopePolicy, decide } from '../../src/policy/decision.js';
import { SCOPES, isScope } from '../../src/policy/scope.js';

function policy(input: ScopePolicyInput): ScopePolicy {
  const result = compileScopePolicy(input);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

describe('decide', () => {
  it('allows an address matching an active entry and names the entry and its description', () => {
    const p = policy({
      scope: 'sip',
      enabled: true,
      list: '203.0.113.0/24, 198.51.100.0/24',
      descriptions: new Map([['198.51.100.0/24', 'Office VPN']]),
    });
    expect(decide(p, '198.51.100.20')).toEqual({
      allow: true,
      reason: 'matched',
      entry: { value: '198.51.100.0/24', description: 'Office VPN' },
    });
    expect(decide(p, '203.0.113.9')).toEqual({ allow: true, reason: 'matched', entry: { value: '203.0.113.0/24' } });
  });

  it('finds a description by the canonical form of an entry written with host bits', () => {
    const p = policy({ scope: 'sip', enabled: true, list: '10.1.2.3/8', descriptions: new Map([['10.0.0.0/8', 'HQ']]) });
    expect(decide(p, '10.200.0.1').entry).toEqual({ value: '10.1.2.3/8', description: 'HQ' });
  });

  it('denies an address that matches nothing', () => {
    const p = policy({ scope: 'webrtc', enabled: true, list: '203.0.113.0/24' });
    expect(decide(p, '192.0.2.1')).toEqual({ allow: false, reason: 'no-match' });
  });

  it('opens a disabled scope to any address', () => {
    const p = policy({ scope: 'sip', enabled: false, list: '203.0.113.0/24' });
    expect(decide(p, '192.0.2.1')).toEqual({ allow: true, reason: 'scope-disabled' });
  });

  it.each(['sip', 'webrtc', 'admin'] as const)('locks an enabled %s scope with no entries', (scope) => {
    expect(decide(policy({ scope, enabled: true, list: '' }), '192.0.2.1')).toEqual({ allow: false, reason: 'empty-list' });
  });

  it('leaves recordings unrestricted while the list is empty, and restricted once it has entries', () => {
    expect(decide(policy({ scope: 'recordings', enabled: true, list: '' }), '192.0.2.1')).toEqual({
      allow: true,
      reason: 'empty-list',
    });
    expect(decide(policy({ scope: 'recordings', enabled: true, list: '203.0.113.0/24' }), '192.0.2.1').allow).toBe(false);
  });

  it.each(['', 'garbage', '010.0.0.1', '127.1', 'fe80::1%eth0'])('denies the malformed source %j, even where the scope is open', (source) => {
    for (const p of [
      policy({ scope: 'sip', enabled: true, list: '0.0.0.0/0, ::/0' }),
      policy({ scope: 'sip', enabled: false, list: '' }),
      policy({ scope: 'recordings', enabled: true, list: '' }),
    ]) {
      expect(decide(p, source)).toEqual({ allow: false, reason: 'bad-source-address' });
    }
  });

  it('matches a dual-stack IPv4-mapped source against an IPv4 list', () => {
    const p = policy({ scope: 'sip', enabled: true, list: '192.0.2.0/24' });
    expect(decide(p, '::ffff:192.0.2.44').allow).toBe(true);
  });

  it('refuses to compile a malformed list, naming every bad token', () => {
    const result = compileScopePolicy({ scope: 'sip', enabled: true, list: '1.2.3.4, 1.2.3.4/40, 0x7f.1' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.token)).toEqual(['1.2.3.4/40', '0x7f.1']);
  });

  it('passes the parser warnings on', () => {
    const result = compileScopePolicy({ scope: 'sip', enabled: true, list: '10.1.2.3/8' });
    expect(result.ok && result.warnings.map((w) => w.kind)).toEqual(['host-bits-set']);
  });
});

describe('scopes', () => {
  it('knows the four scopes and nothing else', () => {
    expect(SCOPES).toEqual(['sip', 'webrtc', 'admin', 'recordings']);
    expect(isScope('sip')).toBe(true);
    expect(isScope('SIP')).toBe(false);
    expect(isScope('__proto__')).toBe(false);
  });
});
