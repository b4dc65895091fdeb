/**
 * Deterministic allowlists and probe addresses for the policy benchmarks.
 *
 * Lists look like real ones: 70% single hosts, 30% prefixes (/16-/31 IPv4,
 * /32-/127 IPv6) written as network addresses (host bits cleared); IPv6 comes
 * from global unicast 2000::/3. Each (flavour, size) has its own seeded
 * mulberry32 stream, so every run sees the same data.
 *
 * Probes are address strings as a SIP stack hands them over: flat strings
 * (as decoded from a socket), half inside a listed entry, half random, shuffled.
 */
import { type Family, formatAddress } from '../../src/policy/index.js';
import { type Random, between, chance, mulberry32, seedFrom } from './prng.js';

export const FLAVOURS = ['ipv4', 'ipv6', 'mixed'] as const;
export type Flavour = (typeof FLAVOURS)[number];

export function isFlavour(name: string): name is Flavour {
  return (FLAVOURS as readonly string[]).includes(name);
}

/** A power of two, so a benchmark loop can cycle with a mask. */
export const PROBE_COUNT = 4096;
const HOST_SHARE = 0.7;
const PREFIX_RANGE: Readonly<Record<Family, readonly [number, number]>> = { 4: [16, 31], 6: [32, 127] };

export interface Entry {
  readonly family: Family;
  /** Network address, host bits cleared. */
  readonly address: string;
  readonly prefix: number;
  /** Always `address/prefix`, even for a single host (for libraries that need it). */
  readonly cidr: string;
}

export interface Dataset {
  readonly size: number;
  readonly flavour: Flavour;
  /** The list as stored: comma-separated, single hosts bare. */
  readonly text: string;
  readonly probes: readonly string[];
  /**
   * The entries as objects, built on each call: a million of them would sit in
   * the heap and slow every GC of the timings that do not need them.
   */
  entries(): Entry[];
}

export const maxPrefix = (family: Family): number => (family === 4 ? 32 : 128);
const widthOf = (family: Family) => (family === 4 ? 1 : 4);

/** Mask of the host bits of word `w` under `prefix`. */
function hostMask(prefix: number, w: number): number {
  const bits = Math.min(32, Math.max(0, prefix - 32 * w));
  return bits === 32 ? 0 : 0xffffffff >>> bits;
}

function randomAddress(random: Random, family: Family, out: Uint32Array, at: number): void {
  if (family === 4) {
    out[at] = random();
    return;
  }
  out[at] = (0x20000000 | (random() & 0x1fffffff)) >>> 0; // 2000::/3
  for (let w = 1; w < 4; w++) out[at + w] = random();
}

/** Clears the host bits of words[at..], or with `random` sets them randomly. */
function setHostBits(words: Uint32Array, at: number, family: Family, prefix: number, random?: Random): void {
  for (let w = 0; w < widthOf(family); w++) {
    const mask = hostMask(prefix, w);
    const network = (words[at + w]! & ~mask) >>> 0;
    words[at + w] = random === undefined ? network : (network | (random() & mask)) >>> 0;
  }
}

function pickFamily(random: Random, flavour: Flavour): Family {
  if (flavour === 'ipv4') return 4;
  if (flavour === 'ipv6') return 6;
  return chance(random, 0.5) ? 4 : 6;
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random() % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * A flat copy of `text`. Built strings are often cons strings (ropes) that
 * every charCodeAt has to see through; network input never is.
 */
function flat(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

/** The list in columns: family and prefix per entry, network address in 4 words. */
interface Columns {
  readonly families: Uint8Array;
  readonly prefixes: Uint8Array;
  readonly words: Uint32Array;
}

function generateColumns(random: Random, size: number, flavour: Flavour): Columns {
  const columns = { families: new Uint8Array(size), prefixes: new Uint8Array(size), words: new Uint32Array(size * 4) };
  for (let i = 0; i < size; i++) {
    const family = pickFamily(random, flavour);
    const [low, high] = PREFIX_RANGE[family];
    const prefix = chance(random, HOST_SHARE) ? maxPrefix(family) : between(random, low, high);
    randomAddress(random, family, columns.words, i * 4);
    setHostBits(columns.words, i * 4, family, prefix);
    columns.families[i] = family;
    columns.prefixes[i] = prefix;
  }
  return columns;
}

function entryAt({ families, prefixes, words }: Columns, slot: number): Entry {
  const family = families[slot] as Family;
  const prefix = prefixes[slot]!;
  const address = formatAddress(family, words, slot * 4);
  return { family, address, prefix, cidr: `${address}/${prefix}` };
}

function listText(columns: Columns): string {
  const tokens: string[] = [];
  for (let i = 0; i < columns.families.length; i++) {
    const entry = entryAt(columns, i);
    tokens.push(entry.prefix === maxPrefix(entry.family) ? entry.address : entry.cidr);
  }
  return tokens.join(',');
}

function generateProbes(random: Random, flavour: Flavour, { families, prefixes, words }: Columns): string[] {
  const probe = new Uint32Array(4);
  const probes: string[] = [];
  for (let p = 0; p < PROBE_COUNT; p++) {
    let family: Family;
    if (p < PROBE_COUNT / 2) {
      const slot = random() % families.length;
      family = families[slot] as Family;
      probe.set(words.subarray(slot * 4, slot * 4 + 4));
      setHostBits(probe, 0, family, prefixes[slot]!, random);
    } else {
      family = pickFamily(random, flavour);
      randomAddress(random, family, probe, 0);
    }
    probes.push(flat(formatAddress(family, probe, 0)));
  }
  return shuffle(probes, random);
}

export function generate(size: number, flavour: Flavour): Dataset {
  const random = mulberry32(seedFrom(`sipwarden-policy/${flavour}/${size}`));
  const columns = generateColumns(random, size, flavour);
  return {
    size,
    flavour,
    text: listText(columns),
    probes: size > 0 ? generateProbes(random, flavour, columns) : [],
    entries: () => Array.from({ length: size }, (_, slot) => entryAt(columns, slot)),
  };
}
