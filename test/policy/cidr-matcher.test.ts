import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parseCidrList, writtenEntry } from '../../src/policy/cidr-list.js';
import { BAD_ADDRESS, CidrMatcher, NO_MATCH } from '../../src/policy/cidr-matcher.js';
import { ipv4Slash20Owned } from '../../src/policy/range-table.js';
import { refEntry, refLookup } from './reference.js';

function compile(text: string): CidrMatcher {
  const result = parseCidrList(text);
  if (!result.ok) throw new Error(result.message);
  return CidrMatcher.compile(result.list);
}

function matchedText(matcher: CidrMatcher, source: string): string | number {
  const slot = matcher.lookup(source);
  return slot >= 0 ? writtenEntry(matcher.list, slot) : slot;
}

/** The /20s (numbers) ipv4Slash20s() marks, read back by an address at each end of every /20. */
function setSlash20s(matcher: CidrMatcher): number[] {
  const bits = matcher.ipv4Slash20s();
  const set: number[] = [];
  for (let b = 0; b < 1 << 20; b++) {
    const first = ipv4Slash20Owned(bits, (b << 12) >>> 0);
    if (first !== ipv4Slash20Owned(bits, ((b << 12) | 0xfff) >>> 0)) throw new Error(`/20 ${b} reads two ways`);
    if (first) set.push(b);
  }
  return set;
}

describe('CidrMatcher', () => {
  it('marks the IPv4 /20s its entries hold an address of, from the first to the last', () => {
    expect(setSlash20s(compile('10.0.16.1, 10.0.47.255/32, 2001:db8::/32'))).toEqual([0x0a001, 0x0a002]);
    expect(setSlash20s(compile('10.0.15.255/32, 10.0.16.0/32'))).toEqual([0x0a000, 0x0a001]);
    expect(setSlash20s(compile('192.0.0.0/19'))).toEqual([0xc0000, 0xc0001]);
    expect(setSlash20s(compile('0.0.0.0/32, 255.255.255.255/32'))).toEqual([0, 0xfffff]);
    expect(setSlash20s(compile('0.0.0.0/0'))).toHaveLength(1 << 20);
    expect(setSlash20s(compile('2001:db8::/32'))).toEqual([]);
  });

  it('matches IPv4 and IPv6 entries and misses outside them', () => {
    const m = compile('203.0.113.0/24, 198.51.100.7, 2001:db8::/32');
    expect(matchedText(m, '203.0.113.0')).toBe('203.0.113.0/24');
    expect(matchedText(m, '203.0.113.255')).toBe('203.0.113.0/24');
    expect(matchedText(m, '203.0.114.0')).toBe(NO_MATCH);
    expect(matchedText(m, '203.0.112.255')).toBe(NO_MATCH);
    expect(matchedText(m, '198.51.100.7')).toBe('198.51.100.7');
    expect(matchedText(m, '198.51.100.8')).toBe(NO_MATCH);
    expect(matchedText(m, '2001:db8:ffff::1')).toBe('2001:db8::/32');
    expect(matchedText(m, '2001:db9::')).toBe(NO_MATCH);
  });

  it('reports the most specific of overlapping entries, and the first of equal ones', () => {
    const m = compile('10.0.0.0/8, 10.1.0.0/16, 10.1.2.3, 10.0.0.0/8, 10.1.0.0/16');
    expect(m.lookup('10.1.2.3')).toBe(2);
    expect(m.lookup('10.1.2.4')).toBe(1);
    expect(m.lookup('10.2.0.0')).toBe(0);
    expect(m.lookup('10.1.255.255')).toBe(1);
    expect(m.lookup('10.2.0.0')).toBe(0);
  });

  it('matches IPv4 sources seen as IPv4-mapped IPv6, and mapped entries from IPv4 sources', () => {
    const m = compile('192.0.2.0/24, ::ffff:198.51.100.0/120');
    expect(matchedText(m, '::ffff:192.0.2.9')).toBe('192.0.2.0/24');
    expect(matchedText(m, '[::ffff:192.0.2.9]')).toBe('192.0.2.0/24');
    expect(matchedText(m, '198.51.100.200')).toBe('::ffff:198.51.100.0/120');
  });

  it('keeps a mapped-looking block wider than ::ffff:0:0/96 as IPv6 (found by the property test)', () => {
    const m = compile('::ffff:ffff:fffd/80');
    expect(m.lookup('::')).toBe(0);
    expect(m.lookup('::ffff:255.255.255.253')).toBe(NO_MATCH);
  });

  it('keeps the families apart: ::/0 does not admit IPv4, 0.0.0.0/0 does not admit IPv6', () => {
    expect(compile('::/0').lookup('192.0.2.1')).toBe(NO_MATCH);
    expect(compile('::/0').lookup('2001:db8::1')).toBe(0);
    expect(compile('0.0.0.0/0').lookup('2001:db8::1')).toBe(NO_MATCH);
    expect(compile('0.0.0.0/0').lookup('0.0.0.0')).toBe(0);
    expect(compile('0.0.0.0/0').lookup('255.255.255.255')).toBe(0);
  });

  it('handles the top and bottom of the address space', () => {
    const m = compile('255.255.255.255, 0.0.0.0, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, ::/128');
    expect(m.lookup('255.255.255.255')).toBe(0);
    expect(m.lookup('255.255.255.254')).toBe(NO_MATCH);
    expect(m.lookup('0.0.0.0')).toBe(1);
    expect(m.lookup('0.0.0.1')).toBe(NO_MATCH);
    expect(m.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(2);
    expect(m.lookup('ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe')).toBe(NO_MATCH);
    expect(m.lookup('::')).toBe(3);
  });

  it('answers BAD_ADDRESS, never a match, for a malformed source', () => {
    const m = compile('0.0.0.0/0, ::/0');
    for (const bad of ['', 'unknown', '010.0.0.1', '127.1', '0x7f.0.0.1', 'fe80::1%eth0', '1.2.3.4:5060', '1.2.3.4/32', ' 1.2.3.4']) {
      expect(m.lookup(bad), bad).toBe(BAD_ADDRESS);
    }
  });

  it('answers NO_MATCH for everything on an empty list', () => {
    const m = compile('');
    expect(m.lookup('192.0.2.1')).toBe(NO_MATCH);
    expect(m.lookup('2001:db8::1')).toBe(NO_MATCH);
  });

  it('compiles and answers on a 100,000-entry list', () => {
    const tokens = Array.from({ length: 100_000 }, (_, i) => `10.${i >>> 8 & 255}.${i & 255}.${(i >>> 16) * 16}/28`);
    const m = compile(tokens.join(','));
    expect(m.lookup('10.0.5.3')).toBe(5);
    expect(m.lookup('10.255.255.15')).toBe(65535);
    expect(m.lookup('11.0.0.0')).toBe(NO_MATCH);
  });
});

// ---- property tests against the naive reference (ipaddr.js + BigInt + linear scan) ----

const V4_BITS = 32n;
const V6_BITS = 128n;

function v4Text(value: bigint): string {
  const n = Number(value);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

function v6Text(value: bigint, style: number): string {
  const parts = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  const address = new ipaddr.IPv6(parts);
  return style === 0 ? address.toRFC5952String() : style === 1 ? address.toNormalizedString() : address.toString().toUpperCase();
}

interface Block {
  family: 4 | 6;
  value: bigint;
  prefix: number;
}

/** Entries clustered around a few bases, so that overlaps, nesting and adjacency are common. */
function blocksArb(family: 4 | 6): fc.Arbitrary<Block[]> {
  const bits = family === 4 ? V4_BITS : V6_BITS;
  const max = (1n << bits) - 1n;
  const base = fc.bigInt({ min: 0n, max });
  const prefix = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: Number(bits) - 12, max: Number(bits) }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: Number(bits) }) },
    { weight: 1, arbitrary: fc.constantFrom(0, Number(bits)) },
  );
  return fc.array(base, { minLength: 1, maxLength: 3 }).chain((bases) =>
    fc.array(
      fc
        .tuple(fc.constantFrom(...bases), fc.bigInt({ min: 0n, max: 4095n }), prefix, fc.boolean())
        .map(([b, jitter, p, adjacent]) => {
          let value = (b ^ jitter) & max;
          // The next block of the same size: adjacent to the one at b.
          if (adjacent && p > 0) value = (value + (1n << (bits - BigInt(p)))) & max;
          return { family, value, prefix: p };
        }),
      { maxLength: 40 },
    ),
  );
}

function token(block: Block, style: number): string {
  if (block.family === 6) return `${v6Text(block.value, style)}/${block.prefix}`;
  const text = v4Text(block.value);
  if (style === 2) return `::ffff:${text}/${block.prefix + 96}`;
  return block.prefix === 32 && style === 1 ? text : `${text}/${block.prefix}`;
}

function probesFor(blocks: Block[]): fc.Arbitrary<string[]> {
  const edges = blocks.flatMap((b) => {
    const bits = b.family === 4 ? V4_BITS : V6_BITS;
    const size = 1n << (bits - BigInt(b.prefix));
    const start = (b.value >> (bits - BigInt(b.prefix))) << (bits - BigInt(b.prefix));
    const max = (1n << bits) - 1n;
    return [start - 1n, start, start + size - 1n, start + size]
      .filter((v) => v >= 0n && v <= max)
      .map((value) => ({ family: b.family, value }));
  });
  const spell = (p: { family: 4 | 6; value: bigint }, style: number) =>
    p.family === 4 ? (style === 2 ? `::ffff:${v4Text(p.value)}` : v4Text(p.value)) : v6Text(p.value, style);
  const edge = edges.length > 0 ? fc.tuple(fc.constantFrom(...edges), fc.nat(2)).map(([p, s]) => spell(p, s)) : fc.constant('192.0.2.1');
  const random4 = fc.bigInt({ min: 0n, max: (1n << V4_BITS) - 1n }).map(v4Text);
  const random6 = fc.tuple(fc.bigInt({ min: 0n, max: (1n << V6_BITS) - 1n }), fc.nat(2)).map(([v, s]) => v6Text(v, s));
  const junk = fc.constantFrom('', 'x', '1.2.3', '010.1.1.1', '::1%lo');
  return fc.array(fc.oneof({ weight: 6, arbitrary: edge }, random4, random6, junk), { minLength: 1, maxLength: 30 });
}

function checkAgainstReference(blocks: Block[], styles: number[], probes: string[]): void {
  const tokens = blocks.map((b, i) => token(b, styles[i % styles.length]!));
  const text = tokens.join(', ');
  const m = compile(text);
  const reference = tokens.map(refEntry);
  for (const probe of probes) expect(m.lookup(probe), `${probe} in [${text}]`).toBe(refLookup(reference, probe));
}

describe('CidrMatcher against the naive reference', () => {
  const styles = fc.array(fc.nat(2), { minLength: 1, maxLength: 5 });

  it('agrees on IPv4 lists (with mapped spellings)', () => {
    fc.assert(
      fc.property(
        blocksArb(4).chain((blocks) => fc.tuple(fc.constant(blocks), styles, probesFor(blocks))),
        ([blocks, s, probes]) => checkAgainstReference(blocks, s, probes),
      ),
      { numRuns: 400 },
    );
  });

  it('agrees on IPv6 lists', () => {
    fc.assert(
      fc.property(
        blocksArb(6).chain((blocks) => fc.tuple(fc.constant(blocks), styles, probesFor(blocks))),
        ([blocks, s, probes]) => checkAgainstReference(blocks, s, probes),
      ),
      { numRuns: 400 },
    );
  });

  it('agrees on mixed lists', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(blocksArb(4), blocksArb(6))
          .map(([a, b]) => [...a, ...b].sort(() => 0))
          .chain((blocks) => fc.tuple(fc.constant(blocks), styles, probesFor(blocks))),
        ([blocks, s, probes]) => checkAgainstReference(blocks, s, probes),
      ),
      { numRuns: 300 },
    );
  });

  it('agrees on large clustered lists, where the radix index has many buckets', () => {
    fc.assert(
      fc.property(
        fc
          .array(blocksArb(4), { minLength: 20, maxLength: 40 })
          .map((lists) => lists.flat())
          .chain((blocks) => fc.tuple(fc.constant(blocks), styles, probesFor(blocks))),
        ([blocks, s, probes]) => checkAgainstReference(blocks, s, probes),
      ),
      { numRuns: 30 },
    );
  });
});
