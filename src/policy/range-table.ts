/**
 * A flat, sorted table of address intervals, each owned by the most specific
 * list entry covering it, so one search answers both "is it allowed" and
 * "which entry allowed it".
 *
 * CIDR blocks are laminar (two blocks are nested or disjoint), so a sweep over
 * the entries sorted by (start, prefix) with a stack of open blocks yields at
 * most 2n+1 intervals. Addresses are 1 word (IPv4) or 4 words (IPv6), most
 * significant first: plain 32-bit arithmetic, no BigInt.
 *
 * A radix index over the bits that follow the prefix all interval starts
 * share narrows each lookup to a bucket of a few intervals, so a lookup in a
 * million-entry table touches three cache lines instead of twenty.
 */
import type { CidrList } from './cidr-list.js';
import { type BlockRecords, type Width, sortedBlocks, window32 } from './block-order.js';
import type { Family } from './ip-address.js';

export type { Width } from './block-order.js';

/** At most 2^20 buckets (4 MiB): past that the index outgrows the cache it is meant to save. */
const MAX_BUCKET_BITS = 20;

export interface RangeTable {
  readonly width: Width;
  readonly count: number;
  /**
   * count cells of width + 1 words: an interval's start (strictly ascending;
   * interval i runs to the next start), then its owner + 1 (0 for a gap). One
   * cell sits in one cache line, so a lookup does not pay a second miss for
   * the owner.
   */
  readonly cells: Uint32Array;
  /** Leading bits shared by every interval start. */
  readonly commonBits: number;
  /** Those bits (width words, the rest zero) and the mask that selects them. */
  readonly commonPrefix: Uint32Array;
  readonly commonMask: Uint32Array;
  /** Bits after the common prefix that pick a bucket; 0 for a single bucket. */
  readonly bucketBits: number;
  /** 2^bucketBits + 1 entries: bucket b's first address lies in interval buckets[b] (-1: before any). */
  readonly buckets: Int32Array;
}

/** Compares `length` words of a from ai with b from bi. */
function compareAt(a: Uint32Array, ai: number, b: Uint32Array, bi: number, length: number): number {
  for (let w = 0; w < length; w++) {
    const d = a[ai + w]! - b[bi + w]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** dst = the last address of the block src/prefix. */
function writeBlockEnd(dst: Uint32Array, di: number, src: Uint32Array, si: number, width: Width, prefix: number): void {
  for (let w = 0; w < width; w++) {
    const bits = Math.min(32, Math.max(0, prefix - 32 * w));
    const hostMask = bits === 32 ? 0 : 0xffffffff >>> bits;
    dst[di + w] = (src[si + w]! | hostMask) >>> 0;
  }
}

/** words[at..] += 1; false when it wrapped past the last address. */
function increment(words: Uint32Array, at: number, width: Width): boolean {
  for (let w = width - 1; w >= 0; w--) {
    if (words[at + w] !== 0xffffffff) {
      words[at + w]!++;
      return true;
    }
    words[at + w] = 0;
  }
  return false;
}

/** True when any bit at or after `offset` is set. */
function anyBitFrom(words: Uint32Array, at: number, width: Width, offset: number): boolean {
  const word = offset >>> 5;
  if (word >= width) return false;
  if ((words[at + word]! << (offset & 31)) >>> 0 !== 0) return true;
  for (let w = word + 1; w < width; w++) if (words[at + w] !== 0) return true;
  return false;
}

interface Intervals {
  readonly count: number;
  readonly cells: Uint32Array;
}

/** Appends interval cells, folding a start equal to the last one and runs of one owner. */
class IntervalWriter implements Intervals {
  count = 0;
  readonly cells: Uint32Array;
  private readonly stride: number;

  constructor(
    capacity: number,
    private readonly width: Width,
  ) {
    this.stride = width + 1;
    this.cells = new Uint32Array(capacity * this.stride);
  }

  emit(src: Uint32Array, at: number, owner: number): void {
    const { width, stride, cells } = this;
    if (this.count > 0 && compareAt(cells, (this.count - 1) * stride, src, at, width) === 0) this.count--;
    if (this.count > 0 ? cells[(this.count - 1) * stride + width] === owner + 1 : owner === -1) return;
    const cell = this.count++ * stride;
    for (let w = 0; w < width; w++) cells[cell + w] = src[at + w]!;
    cells[cell + width] = owner + 1;
  }

  finish(): Intervals {
    return { count: this.count, cells: this.cells.slice(0, this.count * this.stride) };
  }
}

/**
 * The blocks or ranges a sweep is inside, innermost last, with their ends
 * and owners; closing one emits the interval its end leaves to the one
 * around it (or to no one).
 */
class OpenIntervals {
  open = 0;
  private readonly ends: Uint32Array;
  private readonly owners: Int32Array;
  private readonly afterEnd: Uint32Array;

  constructor(
    private readonly out: IntervalWriter,
    private readonly width: Width,
    readonly depth: number,
  ) {
    this.ends = new Uint32Array(depth * width);
    this.owners = new Int32Array(depth);
    this.afterEnd = new Uint32Array(width);
  }

  /** Closes those that end before `words[at..]`, or every one when `words` is undefined. */
  closeBefore(words: Uint32Array | undefined, at: number): void {
    const { width, ends, owners, afterEnd } = this;
    while (this.open > 0 && (words === undefined || compareAt(ends, (this.open - 1) * width, words, at, width) < 0)) {
      const closed = --this.open;
      for (let w = 0; w < width; w++) afterEnd[w] = ends[closed * width + w]!;
      if (increment(afterEnd, 0, width)) this.out.emit(afterEnd, 0, closed > 0 ? owners[closed - 1]! : -1);
    }
  }

  /** Drops, without emitting, those ending at or before `words[at..]`: a new interval reaching that far covers what they had left. */
  dropEndingBy(words: Uint32Array, at: number): void {
    while (this.open > 0 && compareAt(words, at, this.ends, (this.open - 1) * this.width, this.width) >= 0) this.open--;
  }

  /** Opens one starting at `starts[at..]`; its end is written into the returned array at the returned offset. */
  push(starts: Uint32Array, at: number, owner: number): number {
    this.out.emit(starts, at, owner);
    this.owners[this.open] = owner;
    return this.open++ * this.width;
  }

  get endWords(): Uint32Array {
    return this.ends;
  }
}

/** The sweep over blocks sorted by (start, prefix, slot): intervals owned by the innermost open block. */
function sweep({ width, stride, count, records }: BlockRecords): Intervals {
  const out = new IntervalWriter(2 * count + 1, width);
  const open = new OpenIntervals(out, width, 32 * width + 1);
  for (let r = 0; r < count; r++) {
    const at = r * stride;
    // Equal blocks sort by slot: the first written owns, the rest add nothing.
    if (r > 0 && compareAt(records, at - stride, records, at, width + 1) === 0) continue;
    open.closeBefore(records, at);
    const end = open.push(records, at, records[at + width + 1]!);
    writeBlockEnd(open.endWords, end, records, at, width, records[at + width]!);
  }
  open.closeBefore(undefined, 0);
  return out.finish();
}

function commonLeadingBits(words: Uint32Array, a: number, b: number, width: Width): number {
  for (let w = 0; w < width; w++) {
    const differing = (words[a + w]! ^ words[b + w]!) >>> 0;
    if (differing !== 0) return 32 * w + Math.clz32(differing);
  }
  return 32 * width;
}

function bucketOf(words: Uint32Array, at: number, width: Width, commonBits: number, bucketBits: number): number {
  return bucketBits === 0 ? 0 : window32(words, at, width, commonBits) >>> (32 - bucketBits);
}

/**
 * Intervals per bucket a country table's index aims at: eight IPv4 cells fill
 * one cache line, so an index 8x smaller (it stays in L2 beside the list's)
 * costs no extra miss in the bucket. A list's table keeps one per bucket.
 */
export const COUNTRY_INTERVALS_PER_BUCKET = 8;

/** Adds the radix index to the sorted intervals, about `perBucket` intervals to a bucket. */
function indexIntervals(intervals: Intervals, width: Width, perBucket = 1): RangeTable {
  const { count, cells } = intervals;
  const stride = width + 1;
  const bits = 32 * width;
  const commonBits = count === 0 ? bits : commonLeadingBits(cells, 0, (count - 1) * stride, width);
  const wanted = Math.max(1, Math.ceil(Math.log2(Math.max(count / perBucket, 1))));
  const bucketBits = Math.min(MAX_BUCKET_BITS, wanted, bits - commonBits);
  const commonMask = new Uint32Array(width);
  for (let w = 0; w < width; w++) {
    const kept = Math.min(32, Math.max(0, commonBits - 32 * w));
    commonMask[w] = kept === 0 ? 0 : (0xffffffff << (32 - kept)) >>> 0;
  }
  const commonPrefix = new Uint32Array(width);
  for (let w = 0; w < width && count > 0; w++) commonPrefix[w] = (cells[w]! & commonMask[w]!) >>> 0;

  const bucketCount = 2 ** bucketBits;
  const buckets = new Int32Array(bucketCount + 1);
  let last = -1;
  for (let b = 0; b < bucketCount; b++) {
    // Interval i starts at or before bucket b's first address iff its bucket is
    // lower, or it is b with no bits set past the bucket bits.
    while (last + 1 < count) {
      const at = (last + 1) * stride;
      const bucket = bucketOf(cells, at, width, commonBits, bucketBits);
      if (bucket > b || (bucket === b && anyBitFrom(cells, at, width, commonBits + bucketBits))) break;
      last++;
    }
    buckets[b] = last;
  }
  buckets[bucketCount] = count - 1;
  return { width, ...intervals, commonBits, commonPrefix, commonMask, bucketBits, buckets };
}

/** Bytes held by a table's cells and index. */
export function rangeTableBytes(table: RangeTable): number {
  return table.cells.byteLength + table.buckets.byteLength;
}

/** Builds the interval table of the entries of one family in `list`. */
export function buildRangeTable(list: CidrList, family: Family): RangeTable {
  const blocks = sortedBlocks(list, family);
  return indexIntervals(sweep(blocks), blocks.width);
}

/** The owner of an IPv4 address (as an unsigned 32-bit number), or -1. */
export function ownerOfIpv4(table: RangeTable, address: number): number {
  const { count, cells } = table;
  if (count === 0) return -1;
  const top = (address & table.commonMask[0]!) >>> 0;
  const common = table.commonPrefix[0]!;
  if (top !== common) return top < common ? -1 : cells[count * 2 - 1]! - 1;
  const bucket = table.bucketBits === 0 ? 0 : ((address << table.commonBits) >>> 0) >>> (32 - table.bucketBits);
  // The answer is the last interval starting at or before `address`, within [buckets[b], buckets[b+1]].
  let found = table.buckets[bucket]!;
  let lo = found + 1;
  let hi = table.buckets[bucket + 1]!;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (cells[mid * 2]! <= address) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 ? -1 : cells[found * 2 + 1]! - 1;
}

/**
 * One bit per IPv4 /20 of an IPv4 table, set where an interval with an owner
 * holds an address of it: /20 `b` is bit b & 31 of word b >>> 5.
 */
export function ipv4Slash20sOwned(table: RangeTable): Uint32Array {
  const owned = new Uint32Array(1 << 15);
  const { count, cells } = table;
  for (let i = 0; i < count; i++) {
    if (cells[i * 2 + 1] === 0) continue;
    const last = (i + 1 < count ? cells[(i + 1) * 2]! - 1 : 0xffffffff) >>> 12;
    for (let b = cells[i * 2]! >>> 12; b <= last; b++) owned[b >>> 5] = owned[b >>> 5]! | (1 << (b & 31));
  }
  return owned;
}

/** Whether ipv4Slash20sOwned's `owned` has the bit of the /20 of `address` (unsigned 32-bit) set. */
export function ipv4Slash20Owned(owned: Uint32Array, address: number): boolean {
  return ((owned[address >>> 17]! >>> ((address >>> 12) & 31)) & 1) !== 0;
}

/** The owner of an IPv6 address held in words[0..3], or -1. */
export function ownerOfIpv6(table: RangeTable, words: Uint32Array): number {
  const { count, cells, commonMask, commonPrefix } = table;
  if (count === 0) return -1;
  for (let w = 0; w < 4; w++) {
    const top = (words[w]! & commonMask[w]!) >>> 0;
    if (top !== commonPrefix[w]) return top < commonPrefix[w]! ? -1 : cells[count * 5 - 1]! - 1;
  }
  const bucket = bucketOf(words, 0, 4, table.commonBits, table.bucketBits);
  let found = table.buckets[bucket]!;
  let lo = found + 1;
  let hi = table.buckets[bucket + 1]!;
  const w0 = words[0]!;
  const w1 = words[1]!;
  const w2 = words[2]!;
  const w3 = words[3]!;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = mid * 5;
    let startIsLower: boolean;
    if (cells[at] !== w0) startIsLower = cells[at]! < w0;
    else if (cells[at + 1] !== w1) startIsLower = cells[at + 1]! < w1;
    else if (cells[at + 2] !== w2) startIsLower = cells[at + 2]! < w2;
    else startIsLower = cells[at + 3]! <= w3;
    if (startIsLower) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 ? -1 : cells[found * 5 + 4]! - 1;
}

/**
 * Builds a table from `count` ranges sorted by start (each range's first and
 * last address in `starts` and `ends`, width words each) owned by
 * `owners[i]`: for data that comes as address ranges rather than CIDR blocks,
 * such as a country database. Ranges may overlap: a later range owns its
 * addresses over an earlier one (RIR-derived data has single addresses and
 * blocks carved out of a larger block). Unsorted ranges throw.
 */
export function buildRangeTableOfRanges(width: Width, count: number, starts: Uint32Array, ends: Uint32Array, owners: Int32Array, perBucket = 1): RangeTable {
  const out = new IntervalWriter(2 * count + 1, width);
  const open = new OpenIntervals(out, width, 64);
  for (let i = 0; i < count; i++) {
    const at = i * width;
    if (compareAt(starts, at, ends, at, width) > 0) throw new Error(`range ${i} ends before it starts`);
    if (i > 0 && compareAt(starts, at, starts, at - width, width) < 0) throw new Error(`range ${i} starts before range ${i - 1}`);
    open.closeBefore(starts, at);
    open.dropEndingBy(ends, at);
    if (open.open === open.depth) throw new Error(`range ${i} is nested more than ${open.depth} deep`);
    const end = open.push(starts, at, owners[i]!);
    for (let w = 0; w < width; w++) open.endWords[end + w] = ends[at + w]!;
  }
  open.closeBefore(undefined, 0);
  return indexIntervals(out.finish(), width, perBucket);
}
