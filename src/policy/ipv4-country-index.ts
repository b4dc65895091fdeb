/**
 * A direct index of a country table's IPv4 owners, so an IPv4 address's
 * country costs one to three array reads instead of a search through the
 * data's 340k intervals (issue 12: the search's cache misses, not its steps,
 * were what a country set cost beside a list). Built once per country data
 * and shared by every scope.
 *
 * A trie of 16, 4 and 4 bits. The top level holds one Uint16 per /16 (128
 * KiB, stays in L2 beside a list's table); each entry is owner + 1 (0: no
 * country) when one owner holds the whole block, else a node number: a node
 * is 16 entries, one per /20 of a mixed /16 or per /24 of a mixed /20, all
 * pooled in one array, the /16s' nodes first so the ones most read (16% of
 * random sources with the shipped data) lie together. A /24 that is itself
 * split (0.1%) is SEARCH, answered by the range table; so is a block past
 * the node numbers an Uint16 holds, so any data indexes correctly.
 *
 * Why 4-bit nodes and not a 256-entry block per mixed /16: those took 4.5
 * MiB, and a read in them missed every cache for 16% of sources; the /20
 * level is 0.3 MiB, and only the 4.5% of sources in a mixed /20 read the
 * third (1.3 MiB).
 */
import { type RangeTable, ownerOfIpv4 } from './range-table.js';

/** The entry of a block whose owner varies inside and that has no node: search the range table. */
const SEARCH = 0xffff;

/** The trie's levels below the top: bits per node, and the address bits each level's block leaves. */
const NODE_BITS = 4;
const NODE_SIZE = 1 << NODE_BITS;
const LEVELS = [
  { fanout: 1 << 16, size: 1 << 16 },
  { fanout: NODE_SIZE, size: 1 << 12 },
  { fanout: NODE_SIZE, size: 1 << 8 },
] as const;

export interface Ipv4CountryIndex {
  /** 65,536 entries, one per /16. */
  readonly top: Uint16Array;
  /** NODE_SIZE entries per node. */
  readonly nodes: Uint16Array;
  /** Entries below are owner + 1; from it, node base + n (SEARCH aside). */
  readonly base: number;
}

/** Bytes the index holds. */
export function ipv4CountryIndexBytes(index: Ipv4CountryIndex): number {
  return index.top.byteLength + index.nodes.byteLength;
}

/** owner + 1 of the interval holding [first, last] whole, or SEARCH; calls must ascend. */
function ownersOver(table: RangeTable): (first: number, last: number) => number {
  const { count, cells } = table;
  let at = -1;
  return (first, last) => {
    while (at + 1 < count && cells[(at + 1) * 2]! <= first) at++;
    if (at + 1 < count && cells[(at + 1) * 2]! <= last) return SEARCH;
    return at < 0 ? 0 : cells[at * 2 + 1]!;
  };
}

/**
 * Fills the trie a level at a time, in address order: each block of a level
 * is owned whole by the interval holding its first address unless the next
 * interval starts inside it, and a mixed block above a /24 gets a node of
 * the next level, numbered in the order it is met (so node n's entries are
 * the n-th NODE_SIZE appended after the top level).
 */
export function buildIpv4CountryIndex(table: RangeTable, countries: number): Ipv4CountryIndex {
  const base = countries + 1;
  if (base >= SEARCH) throw new Error(`an IPv4 country index holds fewer than ${SEARCH - 1} countries, not ${countries}`);
  const entries: number[] = [];
  let nodeCount = 0;
  let blocks = [0];
  for (const [level, { fanout, size }] of LEVELS.entries()) {
    const ownerOver = ownersOver(table);
    const mixed: number[] = [];
    for (const first of blocks) {
      for (let i = 0; i < fanout; i++) {
        const start = first + i * size;
        let entry = ownerOver(start, start + size - 1);
        if (entry === SEARCH && level + 1 < LEVELS.length && base + nodeCount < SEARCH) {
          entry = base + nodeCount++;
          mixed.push(start);
        }
        entries.push(entry);
      }
    }
    blocks = mixed;
  }
  return { top: Uint16Array.from(entries.slice(0, LEVELS[0].fanout)), nodes: Uint16Array.from(entries.slice(LEVELS[0].fanout)), base };
}

/** The owner of an IPv4 address (unsigned 32-bit) in `table`, through its index: or -1. */
export function ownerOfIpv4Indexed(index: Ipv4CountryIndex, table: RangeTable, address: number): number {
  const { base, nodes } = index;
  let entry = index.top[address >>> 16]!;
  if (entry >= base && entry !== SEARCH) {
    entry = nodes[((entry - base) << NODE_BITS) | ((address >>> 12) & (NODE_SIZE - 1))]!;
    if (entry >= base && entry !== SEARCH) entry = nodes[((entry - base) << NODE_BITS) | ((address >>> 8) & (NODE_SIZE - 1))]!;
  }
  return entry === SEARCH ? ownerOfIpv4(table, address) : entry - 1;
}
