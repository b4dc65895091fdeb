/**
 * What the DNS names in the lists resolve to now: one table per edge, shared
 * by every list that names them, consulted after a list's own address table.
 *
 * It is indexed both ways. By name, for the resolver that replaces a name's
 * addresses; by address, for decisions: a source is looked up once (an IPv4
 * address is one number), and only the few names holding that address are
 * then checked against the list. So a name changing its address costs
 * O(its addresses), whatever the size of the lists naming it and however
 * many there are: no list is recompiled.
 */
import { ADDRESS_WORDS, type Family, type ParsedFamily, formatAddress, parseAddress } from './ip-address.js';

/** A name holding an address: what a decision through the name reports. Shared and frozen. */
export interface NameHolder {
  /** Canonical (lower case). */
  readonly name: string;
  /** Canonical. */
  readonly address: string;
}

export interface NameAddresses {
  /**
   * The names whose current addresses include the address parseAddress wrote
   * to `words` (family 4: words[0]; 6: words[0..3]), each with that address
   * in canonical form; undefined for none.
   */
  holdersAt(family: Family, words: Uint32Array): readonly NameHolder[] | undefined;
}

/** No name resolves to anything: what a decision without a resolver sees. */
export const NO_NAMES: NameAddresses = Object.freeze({ holdersAt: () => undefined });

const scratch = new Uint32Array(ADDRESS_WORDS);

/** The key of an IPv6 address in words[0..3]: its words as text, cheaper than formatting it. */
function ipv6Key(words: Uint32Array): string {
  return `${words[0]}.${words[1]}.${words[2]}.${words[3]}`;
}

interface Parsed {
  readonly family: Family;
  readonly words: Uint32Array;
  readonly text: string;
}

function parsed(address: string): Parsed | undefined {
  const family: ParsedFamily = parseAddress(address, scratch);
  if (family === 0) return undefined;
  const words = scratch.slice(0, family === 4 ? 1 : 4);
  return { family, words, text: formatAddress(family, words, 0) };
}

function compareParsed(a: Parsed, b: Parsed): number {
  if (a.family !== b.family) return a.family - b.family;
  for (let w = 0; w < a.words.length; w++) if (a.words[w] !== b.words[w]) return a.words[w]! - b.words[w]!;
  return 0;
}

/**
 * Addresses as a resolver returned them, canonical (IPv4-mapped IPv6 as
 * IPv4), without repeats, IPv4 first and each family in numeric order: the
 * same set in whatever order a server rotates it gives the same result, so a
 * cap keeps the same addresses from one refresh to the next. What is not an
 * address is left out.
 */
export function canonicalAddresses(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  const kept: Parsed[] = [];
  for (const address of addresses) {
    const p = parsed(address);
    if (p === undefined || seen.has(p.text)) continue;
    seen.add(p.text);
    kept.push(p);
  }
  return kept.sort(compareParsed).map((p) => p.text);
}

export class NameTable implements NameAddresses {
  private readonly byName = new Map<string, readonly string[]>();
  private readonly ipv4 = new Map<number, NameHolder[]>();
  private readonly ipv6 = new Map<string, NameHolder[]>();

  /** How many names hold addresses. */
  get size(): number {
    return this.byName.size;
  }

  /** The name's addresses now, canonical; empty when it has none. */
  addressesOf(name: string): readonly string[] {
    return this.byName.get(name) ?? [];
  }

  /**
   * Makes `addresses` the name's addresses (any address text; see
   * canonicalAddresses for what is kept). An empty set removes the name.
   */
  set(name: string, addresses: readonly string[]): void {
    this.unindex(name);
    const kept = canonicalAddresses(addresses);
    if (kept.length === 0) return;
    this.byName.set(name, kept);
    for (const address of kept) {
      const [index, key] = this.slotOf(address);
      const holder: NameHolder = Object.freeze({ name, address });
      const holders = index.get(key);
      if (holders === undefined) index.set(key, [holder]);
      else holders.push(holder);
    }
  }

  delete(name: string): void {
    this.unindex(name);
  }

  holdersAt(family: Family, words: Uint32Array): readonly NameHolder[] | undefined {
    return family === 4 ? this.ipv4.get(words[0]!) : this.ipv6.size === 0 ? undefined : this.ipv6.get(ipv6Key(words));
  }

  private unindex(name: string): void {
    const previous = this.byName.get(name);
    if (previous === undefined) return;
    this.byName.delete(name);
    for (const address of previous) {
      const [index, key] = this.slotOf(address);
      const remaining = index.get(key)!.filter((holder) => holder.name !== name);
      if (remaining.length === 0) index.delete(key);
      else index.set(key, remaining);
    }
  }

  /** The by-address index a canonical address belongs in, and its key there. */
  private slotOf(address: string): [Map<number | string, NameHolder[]>, number | string] {
    const family = parseAddress(address, scratch) as Family;
    return family === 4 ? [this.ipv4 as Map<number | string, NameHolder[]>, scratch[0]!] : [this.ipv6 as Map<number | string, NameHolder[]>, ipv6Key(scratch)];
  }
}
