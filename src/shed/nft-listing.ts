/**
 * What `nft -j list table inet <table>` says the kernel holds: the elements of
 * the two ban sets with the time each has left, and how many rules the chain
 * has (a chain flushed by hand shows fewer than sipwarden wrote).
 */
import { kernelAddress } from './kernel-address.js';
import { CHAIN, SET_OF } from './nft-ruleset.js';

export interface KernelTable {
  /** Canonical address -> ms until the kernel drops it itself; undefined: no timeout (added by hand). */
  readonly elements: ReadonlyMap<string, number | undefined>;
  readonly rules: number;
}

export type KernelTableResult = { readonly ok: true; readonly table: KernelTable } | { readonly ok: false; readonly message: string };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One `elem` entry: a bare value, or `{ elem: { val, timeout, expires } }` with seconds. */
function element(entry: unknown): { value: unknown; expiresMs: number | undefined } {
  const inner = isObject(entry) && isObject(entry.elem) ? entry.elem : undefined;
  if (inner === undefined) return { value: entry, expiresMs: undefined };
  return { value: inner.val, expiresMs: typeof inner.expires === 'number' ? inner.expires * 1000 : undefined };
}

export function parseKernelTable(json: string, table: string): KernelTableResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    return { ok: false, message: `nft -j printed no JSON: ${(err as Error).message}` };
  }
  const items = isObject(parsed) && Array.isArray(parsed.nftables) ? (parsed.nftables as unknown[]) : undefined;
  if (items === undefined) return { ok: false, message: 'nft -j printed no "nftables" array' };
  const ours = new Set(Object.values(SET_OF));
  const elements = new Map<string, number | undefined>();
  let rules = 0;
  for (const item of items) {
    if (!isObject(item)) continue;
    const { set, rule } = item;
    if (isObject(set) && set.table === table && typeof set.name === 'string' && ours.has(set.name) && Array.isArray(set.elem)) {
      for (const entry of set.elem) {
        const { value, expiresMs } = element(entry);
        const address = typeof value === 'string' ? kernelAddress(value) : undefined;
        if (address !== undefined) elements.set(address.address, expiresMs);
      }
    }
    if (isObject(rule) && rule.table === table && rule.chain === CHAIN) rules++;
  }
  return { ok: true, table: { elements, rules } };
}
