/**
 * Strict IP address text parsing on the per-request hot path.
 *
 * An address is held as 32-bit words: one word for IPv4, four for IPv6
 * (most significant first), so IPv6 needs no BigInt. Parsers write into a
 * caller-owned Uint32Array and return the family, or 0 when the text is not an
 * address, so a lookup allocates nothing.
 *
 * Accepted forms are a strict subset of what ipaddr.js accepts (the property
 * tests hold them to it); ipaddr.js itself is 10x too slow for 1,000,000-entry
 * lists, see bench/. Deliberately rejected:
 * - IPv4 other than four dotted decimal octets: `0x7f.1`, `127.1` and octets
 *   with leading zeros (`010.0.0.1`: octal or decimal?) have been the root of
 *   allowlist bypasses in several libraries.
 * - IPv6 zone ids (`fe80::1%eth0`, RFC 4007 §11): meaningless off-host.
 */

export type Family = 4 | 6;

/** What a parser returns: the family written to `out`, or 0 for "not an address". */
export type ParsedFamily = Family | 0;

/** Words needed to hold any address. */
export const ADDRESS_WORDS = 4;

const DOT = 0x2e;
const COLON = 0x3a;
const ZERO = 0x30;

/**
 * Parses dotted-quad IPv4 in text[start, end) into out[at]. An octet at a
 * time, its digits unrolled: a loop over characters mispredicts the branch
 * at each octet's end, which costs more than the reading.
 */
export function parseIpv4(text: string, start: number, end: number, out: Uint32Array, at: number): boolean {
  let value = 0;
  let i = start;
  for (let part = 0; ; part++) {
    if (i >= end) return false;
    // `>>> 0` turns characters below '0' into large numbers: one comparison per digit test.
    let digit = text.charCodeAt(i++) - ZERO;
    if (digit >>> 0 > 9) return false;
    let octet = digit;
    // A leading zero is the whole octet, so `010` fails at its second digit.
    if (octet !== 0 && i < end) {
      digit = text.charCodeAt(i) - ZERO;
      if (digit >>> 0 <= 9) {
        octet = octet * 10 + digit;
        if (++i < end) {
          digit = text.charCodeAt(i) - ZERO;
          if (digit >>> 0 <= 9) {
            octet = octet * 10 + digit;
            i++;
            if (octet > 255) return false;
          }
        }
      }
    }
    value = value * 256 + octet;
    if (part === 3) break;
    if (i >= end || text.charCodeAt(i++) !== DOT) return false;
  }
  if (i !== end) return false;
  out[at] = value;
  return true;
}

/** By char code below 128: the hex digit's value, or -1. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(d)] = d;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(d)] = d;
}

const groups = new Uint32Array(8);
const embedded = new Uint32Array(1);

/** The value of hex digit c, or -1. */
function hexDigit(c: number): number {
  return c < 128 ? HEX_VALUE[c]! : -1;
}

/**
 * Parses IPv6 text (RFC 4291 §2.2: hex groups, one `::`, an optional trailing
 * dotted-quad) in text[start, end) into out[at..at+3]. Each character is read
 * once and a group's four digits are unrolled, as in parseIpv4: charCodeAt
 * and mispredicted loop exits are most of the cost, and this runs for every
 * request from an IPv6 source.
 */
export function parseIpv6(text: string, start: number, end: number, out: Uint32Array, at: number): boolean {
  if (start >= end) return false;
  let count = 0;
  /** Where `::` stands, in groups; -1 for none. */
  let gap = -1;
  let i = start;
  /** The character at i, read once; -1 past the end. */
  let c = text.charCodeAt(i);
  if (c === COLON) {
    if (end - i < 2 || text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
    c = i < end ? text.charCodeAt(i) : -1;
  }
  while (c >= 0) {
    // c is text[i], the first character of a group: up to four hex digits, unrolled.
    const groupStart = i;
    let digit = hexDigit(c);
    if (digit < 0) return false;
    let value = digit;
    c = -1;
    if (++i < end) {
      c = text.charCodeAt(i);
      digit = hexDigit(c);
      if (digit >= 0) {
        value = (value << 4) | digit;
        c = -1;
        if (++i < end) {
          c = text.charCodeAt(i);
          digit = hexDigit(c);
          if (digit >= 0) {
            value = (value << 4) | digit;
            c = -1;
            if (++i < end) {
              c = text.charCodeAt(i);
              digit = hexDigit(c);
              if (digit >= 0) {
                value = (value << 4) | digit;
                c = ++i < end ? text.charCodeAt(i) : -1;
              }
            }
          }
        }
      }
    }
    if (c === DOT) {
      // RFC 4291 §2.2 (3): the low 32 bits as dotted decimal, only at the end.
      if (count > 6 || !parseIpv4(text, groupStart, end, embedded, 0)) return false;
      groups[count++] = embedded[0]! >>> 16;
      groups[count++] = embedded[0]! & 0xffff;
      break;
    }
    if (count === 8) return false;
    groups[count++] = value;
    if (c < 0) break;
    // A group ends at `:` (a fifth digit lands here too), which may not end the text.
    if (c !== COLON || ++i === end) return false;
    c = text.charCodeAt(i);
    if (c === COLON) {
      if (gap >= 0) return false;
      gap = count;
      c = ++i < end ? text.charCodeAt(i) : -1;
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    if (count > 7) return false;
    const tail = count - gap;
    for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k]!;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  out[at] = ((groups[0]! << 16) | groups[1]!) >>> 0;
  out[at + 1] = ((groups[2]! << 16) | groups[3]!) >>> 0;
  out[at + 2] = ((groups[4]! << 16) | groups[5]!) >>> 0;
  out[at + 3] = ((groups[6]! << 16) | groups[7]!) >>> 0;
  return true;
}

/**
 * True when out[at..at+3] is an IPv4-mapped IPv6 address (::ffff:0:0/96,
 * RFC 4291 §2.5.5.2), i.e. an IPv4 peer seen on a dual-stack socket.
 */
export function isIpv4Mapped(words: Uint32Array, at: number): boolean {
  return words[at] === 0 && words[at + 1] === 0 && words[at + 2] === 0xffff;
}

/**
 * Parses an address as a SIP stack or HTTP server reports a peer:
 * `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, `::ffff:192.0.2.1`.
 * IPv4-mapped IPv6 is returned as IPv4 (in out[0]) so dual-stack sockets
 * match IPv4 lists.
 */
export function parseAddress(text: string, out: Uint32Array): ParsedFamily {
  let start = 0;
  let end = text.length;
  const bracketed = end > 1 && text.charCodeAt(0) === 0x5b && text.charCodeAt(end - 1) === 0x5d;
  if (bracketed) {
    start = 1;
    end--;
  }
  // IPv4 first: it gives up at the first character that is neither digit nor
  // dot, which is cheaper than looking for a colon first.
  if (!bracketed && parseIpv4(text, start, end, out, 0)) return 4;
  if (!parseIpv6(text, start, end, out, 0)) return 0;
  if (isIpv4Mapped(out, 0)) {
    out[0] = out[3]!;
    return 4;
  }
  return 6;
}

const scratch = new Uint32Array(4);

/**
 * True for an address parseAddress reads: the one test of "is this an IP
 * address" for every input an admin or a request gives (the CLI's arguments,
 * the API's query parameters, `check`).
 */
export function isIpAddress(text: string): boolean {
  return parseAddress(text, scratch) !== 0;
}

/**
 * The one spelling of an address (formatAddress's: `2001:DB8:0::1` and
 * `::ffff:192.0.2.1` are `2001:db8::1` and `192.0.2.1`), for comparing what
 * an admin types with what the edge recorded; undefined for no address.
 */
export function canonicalAddress(text: string): string | undefined {
  const family = parseAddress(text, scratch);
  return family === 0 ? undefined : formatAddress(family, scratch, 0);
}

/** Formats words as an address: dotted quad, or RFC 5952 §4 compressed IPv6. */
export function formatAddress(family: Family, words: Uint32Array, at: number): string {
  if (family === 4) {
    const v = words[at]!;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const parts: number[] = [];
  for (let w = 0; w < 4; w++) parts.push(words[at + w]! >>> 16, words[at + w]! & 0xffff);
  // RFC 5952 §4.2.3: compress the longest run of two or more zero groups, the first on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let k = 0; k < 8; ) {
    if (parts[k] !== 0) {
      k++;
      continue;
    }
    let run = k;
    while (run < 8 && parts[run] === 0) run++;
    if (run - k > bestLength) {
      bestStart = k;
      bestLength = run - k;
    }
    k = run;
  }
  const hex = (from: number, to: number) => parts.slice(from, to).map((p) => p.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}
