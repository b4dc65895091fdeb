/**
 * An address as the kernel's sets hold it: its family picks the set (ipv4_addr
 * or ipv6_addr) and its canonical text is what `nft -j` lists, so a ban read
 * from Redis and an element read from the kernel compare as strings. An
 * IPv4-mapped IPv6 address is the IPv4 address: that is what its datagrams
 * carry on the wire.
 */
import { type Family, formatAddress, parseAddress } from '../policy/index.js';

export interface KernelAddress {
  readonly family: Family;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  readonly address: string;
}

const scratch = new Uint32Array(4);

/**
 * Undefined for anything that is not one IP address (a block or a word added
 * to the ban set by hand): nft would read a word as a host name to resolve,
 * and one bad element fails the whole batch.
 */
export function kernelAddress(text: string): KernelAddress | undefined {
  const family = parseAddress(text, scratch);
  if (family === 0) return undefined;
  return { family, address: formatAddress(family, scratch, 0) };
}
