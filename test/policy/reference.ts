/**
 * A naive, obviously-correct model of list matching for property tests:
 * ipaddr.js parsing, BigInt arithmetic, a linear scan.
 */
import ipaddr from 'ipaddr.js';

export interface RefEntry {
  family: 4 | 6;
  network: bigint;
  prefix: number;
}

function toBigInt(bytes: number[]): bigint {
  return bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

/** The address as (family, value), IPv4-mapped folded to IPv4; undefined if not an address. */
export function refAddress(text: string): { family: 4 | 6; value: bigint } | undefined {
  const inner = text.startsWith('[') && text.endsWith(']') && text.includes(':') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(inner) || inner.includes('%')) return undefined;
  if (!inner.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(inner)) return undefined;
  const parsed = ipaddr.parse(inner);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return { family: 4, value: toBigInt(v6.toIPv4Address().toByteArray()) };
    return { family: 6, value: toBigInt(v6.toByteArray()) };
  }
  return { family: 4, value: toBigInt(parsed.toByteArray()) };
}

export function refEntry(token: string): RefEntry {
  const [address, prefixText] = token.split('/') as [string, string | undefined];
  const written = address.includes(':') ? 6 : 4;
  let prefix = prefixText === undefined ? (written === 4 ? 32 : 128) : Number(prefixText);
  let family: 4 | 6 = written;
  let value: bigint;
  if (written === 6) {
    const v6 = ipaddr.IPv6.parse(address);
    // A mapped block folds to IPv4 only when it lies inside ::ffff:0:0/96;
    // a wider block stays IPv6, as the list parser documents.
    if (v6.isIPv4MappedAddress() && prefix >= 96) {
      family = 4;
      prefix -= 96;
      value = toBigInt(v6.toIPv4Address().toByteArray());
    } else {
      value = toBigInt(v6.toByteArray());
    }
  } else {
    value = toBigInt(ipaddr.IPv4.parse(address).toByteArray());
  }
  const bits = family === 4 ? 32 : 128;
  const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { family, network: value & mask, prefix };
}

/** Index of the most specific entry containing the address (first on ties), -1 none, -2 bad address. */
export function refLookup(entries: readonly RefEntry[], source: string): number {
  const address = refAddress(source);
  if (address === undefined) return -2;
  const bits = address.family === 4 ? 32 : 128;
  let best = -1;
  entries.forEach((entry, i) => {
    if (entry.family !== address.family) return;
    const shift = BigInt(bits - entry.prefix);
    if (address.value >> shift !== entry.network >> shift) return;
    if (best < 0 || entry.prefix > entries[best]!.prefix) best = i;
  });
  return best;
}
