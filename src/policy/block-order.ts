/**
 * The entries of one family as block records sorted by network address, then
 * prefix length, then slot (the order the admin wrote them): the order the
 * interval sweep of range-table.ts consumes.
 *
 * A record carries its address, prefix and slot, so sorting and the sweep
 * read memory in order; looking words up by slot would miss the cache once
 * per entry and pass.
 *
 * The sort is an MSD radix sort: each range is split on the next few address
 * bits, as many as the range has entries to spread over, and a range of equal
 * digits costs one counting pass and no moves. So a million random IPv6
 * entries take two passes where an LSD sort over 128 bits takes thirteen, and
 * a list clustered in one /32 skips the bits it shares. A comparison sort of a
 * million entries takes seconds in JavaScript.
 */
import type { CidrList } from './cidr-list.js';
import type { Family } from './ip-address.js';

/** Words per address: 1 for IPv4, 4 for IPv6, most significant first. */
export type Width = 1 | 4;

/** Sorted block records: `count` records of `stride` = width + 2 words: address, prefix, slot. */
export interface BlockRecords {
  readonly width: Width;
  readonly stride: number;
  readonly count: number;
  readonly records: Uint32Array;
}

/** 2^11 counters and write streams stay in L1; wider digits cost more in misses than they save in passes. */
const MAX_DIGIT_BITS = 11;
/** Ranges this short are finished by insertion sort, cheaper than a counting pass. */
const INSERTION_MAX = 16;
/** Prefix lengths (0-128) as the last digit. */
const PREFIX_BITS = 8;

/** The 32 bits of an address starting at bit `offset` (< 32 * width), zero-filled past its end. */
export function window32(words: Uint32Array, at: number, width: Width, offset: number): number {
  const word = offset >>> 5;
  const shift = offset & 31;
  const high = words[at + word]!;
  if (shift === 0) return high;
  const low = word + 1 < width ? words[at + word + 1]! : 0;
  return ((high << shift) | (low >>> (32 - shift))) >>> 0;
}

/** Stable insertion sort of records [lo, hi) by address from word `fromWord` on, then prefix. */
function insertionSort(records: Uint32Array, lo: number, hi: number, width: Width, fromWord: number, held: Uint32Array): void {
  const stride = width + 2;
  for (let i = lo + 1; i < hi; i++) {
    const at = i * stride;
    let j = i;
    for (; j > lo; j--) {
      // Compare record j - 1 with record i (address words, then prefix).
      const before = (j - 1) * stride;
      let order = 0;
      for (let w = fromWord; w <= width && order === 0; w++) order = records[before + w]! - records[at + w]!;
      if (order <= 0) break;
    }
    if (j === i) continue;
    held.set(records.subarray(at, at + stride));
    records.copyWithin((j + 1) * stride, j * stride, at);
    records.set(held, j * stride);
  }
}

/** Records of the entries of `family` in `list`, in slot order. */
function blockRecordsOf(list: CidrList, family: Family, width: Width): BlockRecords {
  const stride = width + 2;
  let count = 0;
  for (let i = 0; i < list.length; i++) if (list.families[i] === family) count++;
  const records = new Uint32Array(count * stride);
  for (let i = 0, at = 0; i < list.length; i++) {
    if (list.families[i] !== family) continue;
    for (let w = 0; w < width; w++) records[at + w] = list.words[i * 4 + w]!;
    records[at + width] = list.prefixes[i]!;
    records[at + width + 1] = i;
    at += stride;
  }
  return { width, stride, count, records };
}

/** The entries of `family` in `list` as block records, sorted by (address, prefix, slot). */
export function sortedBlocks(list: CidrList, family: Family): BlockRecords {
  const width: Width = family === 4 ? 1 : 4;
  const sorted = blockRecordsOf(list, family, width);
  const { stride, count } = sorted;
  let records: Uint32Array = sorted.records;
  let aux: Uint32Array = new Uint32Array(records.length);
  const addressBits = 32 * width;
  const digits = new Uint16Array(count);
  const counts = new Uint32Array((1 << MAX_DIGIT_BITS) + 1);
  const held = new Uint32Array(stride);
  /** Pending ranges as (lo, hi, offset) triples: records [lo, hi) agree on the bits before offset. */
  const pending: number[] = count > INSERTION_MAX ? [0, count, 0] : [];
  if (count > 1 && count <= INSERTION_MAX) insertionSort(records, 0, count, width, 0, held);
  while (pending.length > 0) {
    const offset = pending.pop()!;
    const hi = pending.pop()!;
    const lo = pending.pop()!;
    const size = hi - lo;
    // Past the address, the prefix length is the last digit: shortest prefix first among equal addresses.
    const onPrefix = offset >= addressBits;
    const bits = onPrefix ? PREFIX_BITS : Math.min(MAX_DIGIT_BITS, 33 - Math.clz32(size), addressBits - offset);
    const buckets = 1 << bits;
    counts.fill(0, 0, buckets + 1);
    for (let r = lo; r < hi; r++) {
      const digit = onPrefix ? records[r * stride + width]! : window32(records, r * stride, width, offset) >>> (32 - bits);
      digits[r] = digit;
      counts[digit + 1]!++;
    }
    const next = offset + bits;
    if (counts[digits[lo]! + 1] === size) {
      // One digit throughout: nothing to move; split on the bits that follow.
      if (!onPrefix) pending.push(lo, hi, next);
      continue;
    }
    for (let d = 1; d <= buckets; d++) counts[d]! += counts[d - 1]!;
    for (let r = lo; r < hi; r++) {
      const to = (lo + counts[digits[r]!]!++) * stride;
      const from = r * stride;
      for (let k = 0; k < stride; k++) aux[to + k] = records[from + k]!;
    }
    // The moved range now lives in aux: swap whole buffers when it is all of them.
    if (size === count) [records, aux] = [aux, records];
    else records.set(aux.subarray(lo * stride, hi * stride), lo * stride);
    if (onPrefix) continue; // the scatter is stable, so equal blocks stay in slot order
    // counts[d] is now where bucket d ends.
    const fromWord = next >>> 5;
    let start = lo;
    for (let d = 0; d < buckets; d++) {
      const end = lo + counts[d]!;
      if (end - start > INSERTION_MAX) pending.push(start, end, next);
      else if (end - start > 1) insertionSort(records, start, end, width, Math.min(fromWord, width), held);
      start = end;
    }
  }
  return { width, stride, count, records };
}
