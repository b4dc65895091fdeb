import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortedBlocks } from '../../src/policy/block-order.js';
import { type CidrList, parseCidrList } from '../../src/policy/cidr-list.js';
import { formatAddress } from '../../src/policy/ip-address.js';

function listOf(tokens: readonly string[]): CidrList {
  const result = parseCidrList(tokens.join(','));
  if (!result.ok) throw new Error(result.message);
  return result.list;
}

/** (address, prefix, slot) of every record, in the order sortedBlocks gives. */
function radixOrder(list: CidrList, family: 4 | 6): Array<[bigint, number, number]> {
  const { width, stride, count, records } = sortedBlocks(list, family);
  return Array.from({ length: count }, (_, r) => {
    let address = 0n;
    for (let w = 0; w < width; w++) address = (address << 32n) | BigInt(records[r * stride + w]!);
    return [address, records[r * stride + width]!, records[r * stride + width + 1]!];
  });
}

/** The same records by a plain comparison sort. */
function comparisonOrder(list: CidrList, family: 4 | 6): Array<[bigint, number, number]> {
  const rows: Array<[bigint, number, number]> = [];
  for (let slot = 0; slot < list.length; slot++) {
    if (list.families[slot] !== family) continue;
    let address = 0n;
    for (let w = 0; w < (family === 4 ? 1 : 4); w++) address = (address << 32n) | BigInt(list.words[slot * 4 + w]!);
    rows.push([address, list.prefixes[slot]!, slot]);
  }
  return rows.sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] - b[1] || a[2] - b[2]));
}

/**
 * Tokens around a few bases with jitter in chosen bits, so that radix ranges
 * are long, share many leading bits, hold runs of equal addresses with
 * different prefixes (the prefix digit) and duplicates (the slot order).
 */
function clusteredTokens(family: 4 | 6): fc.Arbitrary<string[]> {
  const bits = family === 4 ? 32 : 128;
  const word = fc.integer({ min: 0, max: 0xffffffff });
  const base = fc.array(word, { minLength: family === 4 ? 1 : 4, maxLength: family === 4 ? 1 : 4 });
  const entry = (bases: number[][]) =>
    fc
      .tuple(fc.constantFrom(...bases), fc.nat(bits - 1), fc.nat(63), fc.integer({ min: 0, max: bits }))
      .map(([b, at, jitter, prefix]) => {
        const words = Uint32Array.from(b);
        // Jitter six bits at a random depth, so runs split at every level of the sort.
        const shift = Math.max(0, bits - 6 - at);
        const w = Math.floor(shift / 32);
        const index = words.length - 1 - w;
        words[index] = (words[index]! ^ (jitter << (shift % 32))) >>> 0;
        return `${formatAddress(family, words, 0)}/${prefix}`;
      });
  return fc.array(base, { minLength: 1, maxLength: 3 }).chain((bases) => fc.array(entry(bases), { minLength: 0, maxLength: 3000 }));
}

describe('sortedBlocks', () => {
  it.each([4, 6] as const)('orders IPv%i blocks by address, prefix and slot, like a comparison sort', (family) => {
    fc.assert(
      fc.property(clusteredTokens(family), (tokens) => {
        const list = listOf(tokens);
        expect(radixOrder(list, family)).toEqual(comparisonOrder(list, family));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps only the given family, and a long run of one block in written order', () => {
    const tokens = [...Array.from({ length: 40 }, () => '2001:db8::/48'), '10.0.0.0/8', ...Array.from({ length: 40 }, () => '2001:db8::/32')];
    const list = listOf(tokens);
    const order = radixOrder(list, 6);
    expect(order.map(([, prefix]) => prefix)).toEqual([...Array(40).fill(32), ...Array(40).fill(48)]);
    expect(order.map(([, , slot]) => slot)).toEqual([...Array.from({ length: 40 }, (_, i) => 41 + i), ...Array.from({ length: 40 }, (_, i) => i)]);
    expect(radixOrder(list, 4)).toEqual([[0x0a000000n, 8, 40]]);
  });
});
