/**
 * A direct index of a country table's IPv4 owners, so an IPv4 address's
 * country costs three array reads instead of a search through the
 * data's 340k intervals (issue 12: the search's cache misses, not its steps,
 * were what a country set cost beside a list). Built once per country data
 * and shared by every scope.
 *
 * A trie of 16, 4 and 4 bits. The top level holds one Uint16 per /16 (128
 * KiB, stays in L2 beside a list's table); every entry is a node number,
 * and a node is 16 entries, one per /20 of a /16 or per /24 of a /20, all
 * pooled in one array. The first nodes are leaves: leaf owner + 1 (0: no
 * country) and the search leaf (a /24 that is itself split, 0.1%, or a block
 * past the node numbers an Uint16 holds: the range table answers) have all
 * 16 entries pointing back at themselves. So a lookup always reads three
 * entries and never branches on what it read: a block one owner holds whole
 * lands on its leaf and stays there (the 250-odd leaves are 8 KiB and stay
 * in L1). The mixed /16s' nodes come after the leaves, so the ones most
 * read (16% of random sources with the shipped data) lie together.
 *
 * Why no branch: a lookup that stopped at the first whole block branched on
 * data that differs for 16% of random sources, and each mispredicted branch
 * threw away the next lookups' reads already under way. bench:country
 * measured the decision with the country step 0.74-0.78 of the list alone's
 * rate with the branches, 0.81-0.82 without.
 *
 * Why 4-bit nodes and not a 256-entry block per mixed /16: those took 4.5
 * MiB, and a read in them missed every cache for 16% of sources; the /20
 * level is 0.3 MiB, and only the 4.5% of sources in a mixed /20 read the
 * third (1.3 MiB).
 */
import { type RangeTable, ownerOfIpv4 } from './range-table.js';

/** The trie's levels below the top: bits per node, and the address bits each level's block leaves. */
const NODE_BITS = 4;
const NODE_SIZE = 1 << NODE_BITS;
/** Node numbers are Uint16 entries. */
const MAX_NODES = 1 << 16;
const LEVELS = [
  { fanout: 1 << 16, size: 1 << 16 },
  { fanout: NODE_SIZE, size: 1 << 12 },
  { fanout: NODE_SIZE, size: 1 << 8 },
] as const;

export interface Ipv4CountryIndex {
  /** 65,536 entries, one per /16. */
  readonly top: Uint16Array;
  /** NODE_SIZE entries per node: the leaves (0 .. search), then the mixed blocks' nodes. */
  readonly nodes: Uint16Array;
  /** The leaf of blocks the range table answers; leaves below it are owner + 1. */
  readonly search: number;
}

/** Bytes the index holds. */
export function ipv4CountryIndexBytes(index: Ipv4CountryIndex): number {
  return index.top.byteLength + index.nodes.byteLength;
}

/** owner + 1 of the interval holding [first, last] whole, or `search`; calls must ascend. */
function ownersOver(table: RangeTable, search: number): (first: number, last: number) => number {
  const { count, cells } = table;
  let at = -1;
  return (first, last) => {
    while (at + 1 < count && cells[(at + 1) * 2]! <= first) at++;
    if (at + 1 < count && cells[(at + 1) * 2]! <= last) return search;
    return at < 0 ? 0 : cells[at * 2 + 1]!;
  };
}

/**
 * Fills the trie a level at a time, in address order: each block of a level
 * is owned whole by the interval holding its first address unless the next
 * interval starts inside it, and a mixed block above a /24 gets a node of
 * the next level, numbered in the order it is met after the leaves (so node
 * n's entries are the n-th NODE_SIZE of the pool).
 */
export function buildIpv4CountryIndex(table: RangeTable, countries: number): Ipv4CountryIndex {
  const search = countries + 1;
  const leaves = search + 1;
  if (leaves >= MAX_NODES) throw new Error(`an IPv4 country index holds fewer than ${MAX_NODES - 2} countries, not ${countries}`);
  const entries: number[] = [];
  for (let leaf = 0; leaf < leaves; leaf++) for (let i = 0; i < NODE_SIZE; i++) entries.push(leaf);
  let nodeCount = leaves;
  let blocks = [0];
  for (const [level, { fanout, size }] of LEVELS.entries()) {
    const ownerOver = ownersOver(table, search);
    const mixed: number[] = [];
    for (const first of blocks) {
      for (let i = 0; i < fanout; i++) {
        const start = first + i * size;
        let entry = ownerOver(start, start + size - 1);
        if (entry === search && level + 1 < LEVELS.length && nodeCount < MAX_NODES) {
          entry = nodeCount++;
          mixed.push(start);
        }
        entries.push(entry);
      }
    }
    blocks = mixed;
  }
  const topStart = leaves * NODE_SIZE;
  const top = Uint16Array.from(entries.slice(topStart, topStart + LEVELS[0].fanout));
  return { top, nodes: Uint16Array.from([...entries.slice(0, topStart), ...entries.slice(topStart + LEVELS[0].fanout)]), search };
}

/** The owner of an IPv4 address (unsigned 32-bit) in `table`, through its index: or -1. */
export function ownerOfIpv4Indexed(index: Ipv4CountryIndex, table: RangeTable, address: number): number {
  const { nodes } = index;
  const slash16 = index.top[address >>> 16]!;
  const slash20 = nodes[(slash16 << NODE_BITS) | ((address >>> 12) & (NODE_SIZE - 1))]!;
  const leaf = nodes[(slash20 << NODE_BITS) | ((address >>> 8) & (NODE_SIZE - 1))]!;
  return leaf === index.search ? ownerOfIpv4(table, address) : leaf - 1;
}
