/**
 * The sources the kernel's per-source rate limit never meters, as the
 * elements of its constant sets: the never-ban list with the trusted proxies
 * (SIPWARDEN_NEVER_BAN, SIPWARDEN_TRUSTED_PROXIES). A block inside another
 * is left out: nft 1.0.6 refuses an element of an interval set that overlaps
 * one already there ("interval overlaps with an existing one"), and the
 * whole batch with it. Names are left out too: the kernel knows addresses.
 */
import { type Family, canonicalEntry, parseCidrList } from '../policy/index.js';

/** One block as an element of exempt4/exempt6: `10.0.0.0/8`, or a bare address for a host. */
export interface KernelPrefix {
  readonly family: Family;
  readonly text: string;
}

export type KernelPrefixesResult = { readonly ok: true; readonly prefixes: readonly KernelPrefix[] } | { readonly ok: false; readonly message: string };

interface Block extends KernelPrefix {
  readonly network: bigint;
  readonly length: number;
}

/** `cidrs`: comma-separated addresses and blocks, as the never-ban list is written. */
export function kernelPrefixes(cidrs: string): KernelPrefixesResult {
  const parsed = parseCidrList(cidrs);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const { list } = parsed;
  const blocks: Block[] = [];
  for (let slot = 0; slot < list.length; slot++) {
    const family = list.families[slot];
    if (family !== 4 && family !== 6) continue;
    const words = list.words.subarray(slot * 4, slot * 4 + (family === 4 ? 1 : 4));
    const network = words.reduce((value, word) => (value << 32n) | BigInt(word), 0n);
    blocks.push({ family, text: canonicalEntry(list, slot), network, length: list.prefixes[slot]! });
  }
  // Widest first: a block is kept unless one kept before it holds its network.
  blocks.sort((a, b) => a.length - b.length);
  const kept: Block[] = [];
  for (const block of blocks) {
    const bits = BigInt(block.family === 4 ? 32 : 128);
    const inside = kept.some((wider) => wider.family === block.family && wider.network >> (bits - BigInt(wider.length)) === block.network >> (bits - BigInt(wider.length)));
    if (!inside) kept.push(block);
  }
  return { ok: true, prefixes: kept.map(({ family, text }) => ({ family, text })) };
}
