/**
 * What `nft -j list table inet <table>` says the kernel holds: the elements of
 * the two ban sets with the time each has left, how many rules the chain
 * has (a chain flushed by hand shows fewer than sipwarden wrote), how many
 * elements the rate limit's exempt sets hold (flushed by hand: fewer), and
 * what its rules' counters have dropped.
 */
import { kernelAddress } from './kernel-address.js';
import { CHAIN, EXEMPT_SET_OF, SET_OF } from './nft-ruleset.js';

export interface KernelTable {
  /** Canonical address -> ms until the kernel drops it itself; undefined: no timeout (added by hand). */
  readonly elements: ReadonlyMap<string, number | undefined>;
  readonly rules: number;
  /** Elements of exempt4 and exempt6: blocks and addresses alike. */
  readonly exempt: number;
  /** Packets the rate limit's rules dropped: the counters of the rules that update a set. */
  readonly meterDropped: number;
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

/** A rule's `counter` packets when the rule also updates a set (the meter's); else 0. */
function meterCounter(expr: unknown): number {
  if (!Array.isArray(expr) || !expr.some((statement) => isObject(statement) && isObject(statement.set) && statement.set.op === 'update')) return 0;
  const counter = expr.find((statement): statement is Json => isObject(statement) && isObject(statement.counter));
  const packets = counter !== undefined && isObject(counter.counter) ? counter.counter.packets : undefined;
  return typeof packets === 'number' ? packets : 0;
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
  const exemptSets = new Set(Object.values(EXEMPT_SET_OF));
  const elements = new Map<string, number | undefined>();
  let rules = 0;
  let exempt = 0;
  let meterDropped = 0;
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
    if (isObject(set) && set.table === table && typeof set.name === 'string' && exemptSets.has(set.name) && Array.isArray(set.elem)) exempt += set.elem.length;
    if (isObject(rule) && rule.table === table && rule.chain === CHAIN) {
      rules++;
      meterDropped += meterCounter(rule.expr);
    }
  }
  return { ok: true, table: { elements, rules, exempt, meterDropped } };
}
