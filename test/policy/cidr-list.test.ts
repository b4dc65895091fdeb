import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CidrListResult, NAME_ENTRY, canonicalEntry, isNameEntry, parseCidrList, writtenEntry } from '../../src/policy/cidr-list.js';

function entries(text: string): string[] {
  const result = parseCidrList(text);
  if (!result.ok) throw new Error(result.message);
  return Array.from({ length: result.list.length }, (_, i) => canonicalEntry(result.list, i));
}

function failure(text: string): Extract<CidrListResult, { ok: false }> {
  const result = parseCidrList(text);
  if (result.ok) throw new Error(`expected ${JSON.stringify(text)} to be refused`);
  return result;
}

describe('parseCidrList: accepted forms', () => {
  it('reads IPv4, IPv4/len, IPv6 and IPv6/len; a bare address is one host', () => {
    expect(entries('203.0.113.0/24,198.51.100.7,2001:db8::/32,2001:db8::7')).toEqual([
      '203.0.113.0/24',
      '198.51.100.7',
      '2001:db8::/32',
      '2001:db8::7',
    ]);
  });

  it('tolerates whitespace and newlines around tokens and one trailing comma', () => {
    expect(entries(' 203.0.113.0/24, 198.51.100.7 ,\n\t2001:db8::/32\r\n,')).toEqual([
      '203.0.113.0/24',
      '198.51.100.7',
      '2001:db8::/32',
    ]);
  });

  it('reads an empty or blank text as the empty list', () => {
    expect(entries('')).toEqual([]);
    expect(entries('  \n ')).toEqual([]);
  });

  it('keeps each token as written, for explanations', () => {
    const result = parseCidrList(' 10.1.2.3/8 ,  ::FFFF:192.0.2.0/120');
    if (!result.ok) throw new Error(result.message);
    expect(writtenEntry(result.list, 0)).toBe('10.1.2.3/8');
    expect(writtenEntry(result.list, 1)).toBe('::FFFF:192.0.2.0/120');
  });

  it('accepts the edges of the prefix range', () => {
    expect(entries('0.0.0.0/0, 1.2.3.4/32, ::/0, ::1/128')).toEqual(['0.0.0.0/0', '1.2.3.4', '::/0', '::1']);
  });
});

describe('parseCidrList: normalization and warnings', () => {
  it('clears host bits and warns with the enforced form', () => {
    const result = parseCidrList('10.1.2.3/8, 2001:db8::1/32');
    if (!result.ok) throw new Error(result.message);
    expect(entries('10.1.2.3/8, 2001:db8::1/32')).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(result.warnings.map((w) => [w.index, w.kind, w.normalized])).toEqual([
      [1, 'host-bits-set', '10.0.0.0/8'],
      [2, 'host-bits-set', '2001:db8::/32'],
    ]);
    expect(result.warnings[0]!.message).toContain('10.0.0.0/8');
  });

  it('folds IPv4-mapped IPv6 to IPv4 (prefix minus 96) and says so', () => {
    const result = parseCidrList('::ffff:192.0.2.1, ::ffff:192.0.2.0/120, ::ffff:c633:6400/120');
    if (!result.ok) throw new Error(result.message);
    expect(entries('::ffff:192.0.2.1, ::ffff:192.0.2.0/120, ::ffff:c633:6400/120')).toEqual([
      '192.0.2.1',
      '192.0.2.0/24',
      '198.51.100.0/24',
    ]);
    expect(result.warnings.every((w) => w.kind === 'ipv4-mapped')).toBe(true);
    expect(result.list.families[0]).toBe(4);
  });

  it('keeps a block wider than ::ffff:0:0/96 as IPv6', () => {
    expect(entries('::ffff:0:0/95')).toEqual(['::fffe:0:0/95']);
  });

  it('warns that /0 matches everyone', () => {
    const result = parseCidrList('0.0.0.0/0, ::/0');
    if (!result.ok) throw new Error(result.message);
    expect(result.warnings.map((w) => w.kind)).toEqual(['matches-everyone', 'matches-everyone']);
    expect(result.warnings[1]!.message).toContain('0.0.0.0/0');
  });

  it('gives no warnings for a clean list', () => {
    const result = parseCidrList('192.0.2.0/24, 2001:db8::/48');
    expect(result.ok && result.warnings).toEqual([]);
  });
});

describe('parseCidrList: refusals name every bad token and where it is', () => {
  it('reports all bad tokens, not just the first, with index and offset', () => {
    const text = '192.0.2.0/24, 010.0.0.1, 10.0.0.0/33, ok_example, 2001:db8::/129';
    const result = failure(text);
    expect(result.errors.map((e) => [e.index, e.offset, e.token, e.problem])).toEqual([
      [2, 14, '010.0.0.1', 'leading-zero'],
      [3, 25, '10.0.0.0/33', 'prefix-out-of-range'],
      [4, 38, 'ok_example', 'bad-name'],
      [5, 50, '2001:db8::/129', 'prefix-out-of-range'],
    ]);
    for (const e of result.errors) expect(text.slice(e.offset, e.offset + e.token.length)).toBe(e.token);
    expect(result.message).toContain('4 bad entries');
    expect(result.message).toContain('#2 "010.0.0.1"');
    expect(result.message).toContain('#5 "2001:db8::/129"');
  });

  it.each([
    ['010.0.0.1', 'leading-zero'],
    ['10.0.0.010/32', 'leading-zero'],
    ['::ffff:010.0.0.1', 'leading-zero'],
    ['0x7f.1', 'ipv4-shorthand'],
    ['0x7f000001', 'ipv4-shorthand'],
    ['127.1', 'ipv4-shorthand'],
    ['fe80::1%eth0', 'zone-id'],
    ['fe80::%1/64', 'zone-id'],
    ['10.0.0.0/33', 'prefix-out-of-range'],
    ['::/129', 'prefix-out-of-range'],
    ['10.0.0.0/', 'bad-prefix'],
    ['10.0.0.0/-1', 'bad-prefix'],
    ['10.0.0.0/8/8', 'bad-prefix'],
    ['10.0.0.0/08', 'bad-prefix'],
    ['10.0.0.0/ 8', 'bad-prefix'],
    ['10.0.0.0/1000', 'bad-prefix'],
    ['256.0.0.0/8', 'not-an-address'],
    ['10.0.0.0 /8', 'not-an-address'],
    ['10.0.0', 'ipv4-shorthand'],
    ['[2001:db8::]/32', 'not-an-address'],
    ['2001:db8:::/32', 'not-an-address'],
    ['10.0.0.0-10.0.0.255', 'not-an-address'],
    ['1.2.3.4.5', 'not-an-address'],
    ['pbx_1.example.com', 'bad-name'],
    ['*.example.com', 'bad-name'],
    ['agent*.example.com', 'bad-name'],
    ['agent.example.com/32', 'bad-name'],
    ['a..example.com', 'bad-name'],
    ['.example.com', 'bad-name'],
    ['example.com..', 'bad-name'],
    ['-agent.example.com', 'bad-name'],
    ['agent-.example.com', 'bad-name'],
    ['example.123', 'bad-name'],
    ['pbx', 'bad-name'],
    ['bücher.example', 'bad-name'],
    ['agent example.com', 'bad-name'],
    [`${'a'.repeat(64)}.example`, 'bad-name'],
    [`${'a.'.repeat(126)}ab`, 'bad-name'],
  ])('refuses %j as %s', (token, problem) => {
    const result = failure(`192.0.2.1, ${token}`);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ index: 2, offset: 11, token, problem });
    expect(result.errors[0]!.message.length).toBeGreaterThan(10);
  });

  it('refuses empty tokens in the middle or at the start, and two trailing commas', () => {
    expect(failure('1.2.3.4,,5.6.7.8').errors.map((e) => [e.index, e.problem])).toEqual([[2, 'empty-token']]);
    expect(failure(',1.2.3.4').errors.map((e) => [e.index, e.problem])).toEqual([[1, 'empty-token']]);
    expect(failure('1.2.3.4,,').errors.map((e) => [e.index, e.problem])).toEqual([[2, 'empty-token']]);
    expect(failure(',').errors.map((e) => e.problem)).toEqual(['empty-token']);
  });

  it('shortens a huge hostile token in the message but keeps it whole in the error', () => {
    const token = 'x'.repeat(10_000);
    const result = failure(token);
    expect(result.errors[0]!.token).toBe(token);
    expect(result.message.length).toBeLessThan(300);
  });
});

describe('parseCidrList: DNS names', () => {
  it('takes names beside addresses and blocks, canonical in lower case without the trailing dot', () => {
    const text = '203.0.113.0/24, Agent7.Dyn.Example.NET, 198.51.100.7,\nhq.example.com.';
    expect(entries(text)).toEqual(['203.0.113.0/24', 'agent7.dyn.example.net', '198.51.100.7', 'hq.example.com']);
    const result = parseCidrList(text);
    if (!result.ok) throw new Error(result.message);
    expect(writtenEntry(result.list, 1)).toBe('Agent7.Dyn.Example.NET');
    expect([0, 1, 2, 3].map((slot) => isNameEntry(result.list, slot))).toEqual([false, true, false, true]);
    expect(result.list.families[1]).toBe(NAME_ENTRY);
    expect(result.warnings).toEqual([]);
  });

  it.each([
    'a.b',
    'xn--bcher-kva.example',
    '1password.example.com',
    '123.example.com',
    'agent-7.dyn.example.net',
    'dead.beef',
    'cafe.be',
    `${'a'.repeat(63)}.example`,
    `${'a.'.repeat(125)}abc`,
  ])('accepts %j', (name) => {
    expect(entries(name)).toEqual([name.toLowerCase()]);
  });

  it('accepts 253 characters and refuses 254', () => {
    const name = (length: number) => `${'abcdefghi.'.repeat(25)}abc`.slice(0, length - 3) + 'com';
    expect(name(253)).toHaveLength(253);
    expect(entries(name(253))).toHaveLength(1);
    expect(failure(name(254)).errors[0]!.message).toContain('at most 253');
  });

  it('says what is wrong with a name, by its position', () => {
    const result = failure('192.0.2.1, agent_7.example.net, *.dyn.example.net, hq.example.com/32');
    expect(result.errors.map((e) => [e.index, e.offset, e.token, e.problem])).toEqual([
      [2, 11, 'agent_7.example.net', 'bad-name'],
      [3, 32, '*.dyn.example.net', 'bad-name'],
      [4, 51, 'hq.example.com/32', 'bad-name'],
    ]);
    expect(result.errors.map((e) => e.message)).toEqual([
      '"_" is not allowed in a host name (letters, digits, hyphens and dots only)',
      'wildcard names are not allowed: list each host name',
      'a DNS name takes no prefix length: it allows exactly the addresses it resolves to',
    ]);
  });

  it('reads tokens of digits and dots as addresses, never as names, so their mistakes keep their diagnoses', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9.]{1,20}$/), (token) => {
        const result = parseCidrList(token);
        if (result.ok) expect(result.list.families[0]).not.toBe(NAME_ENTRY);
        else expect(result.errors[0]!.problem).not.toBe('bad-name');
      }),
    );
  });

  it('refuses whatever isDnsName refuses, and diagnoses every name-like refusal as bad-name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9.*_-]{1,30}$/), (token) => {
        const result = parseCidrList(token);
        if (!result.ok && /[a-z*_]/.test(token) && !/^0x/.test(token)) expect(result.errors[0]!.problem).toBe('bad-name');
        if (result.ok && result.list.length === 1 && isNameEntry(result.list, 0)) {
          expect(token.split('.').filter((l) => l !== '').every((l) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(l))).toBe(true);
        }
      }),
    );
  });
});
