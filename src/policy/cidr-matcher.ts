/**
 * A compiled CIDR list: answers, for an address string as a SIP stack reports
 * it, which address or block entry (if any) contains it, in O(log n) with no
 * allocation. Name entries have no address of their own and are not in it:
 * what they resolve to is looked up in a NameTable (name-table.ts).
 */
import type { CidrList } from './cidr-list.js';
import { ADDRESS_WORDS, type Family, parseAddress } from './ip-address.js';
import { type RangeTable, buildRangeTable, ipv4Slash20sOwned, ownerOfIpv4, ownerOfIpv6 } from './range-table.js';

/** lookup(): no entry contains the address. */
export const NO_MATCH = -1;
/** lookup(): the text is not an IP address. */
export const BAD_ADDRESS = -2;

const scratch = new Uint32Array(ADDRESS_WORDS);

export class CidrMatcher {
  private constructor(
    readonly list: CidrList,
    private readonly ipv4: RangeTable,
    private readonly ipv6: RangeTable,
  ) {}

  static compile(list: CidrList): CidrMatcher {
    return new CidrMatcher(list, buildRangeTable(list, 4), buildRangeTable(list, 6));
  }

  /**
   * The slot in `list` of the most specific entry containing `address`
   * (the first written among equal ones), NO_MATCH, or BAD_ADDRESS.
   */
  lookup(address: string): number {
    const family = parseAddress(address, scratch);
    return family === 0 ? BAD_ADDRESS : this.lookupParsed(family, scratch);
  }

  /** lookup() of an address parseAddress already wrote to `words`: the slot, or NO_MATCH. */
  lookupParsed(family: Family, words: Uint32Array): number {
    return family === 4 ? ownerOfIpv4(this.ipv4, words[0]!) : ownerOfIpv6(this.ipv6, words);
  }

  /** One bit per IPv4 /20 (ipv4Slash20sOwned), set where an address or block entry holds an address of it. */
  ipv4Slash20s(): Uint32Array {
    return ipv4Slash20sOwned(this.ipv4);
  }
}
