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
const NINE = 0x39;

/** Parses dotted-quad IPv4 in text[start, end) into out[at]. */
export function parseIpv4(text: string, start: number, end: number, out: Uint32Array, at: number): boolean {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= ZERO && c <= NINE) {
      if (digits === 1 && octet === 0) return false; // leading zero
      octet = octet * 10 + (c - ZERO);
      if (octet > 255) return false;
      digits++;
    } else if (c === DOT) {
      if (digits === 0 || dots === 3) return false;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return false;
    }
  }
  if (digits === 0 || dots !== 3) return false;
  out[at] = value * 256 + octet;
  return true;
}

/** By char code: 0-15 hex digit values, COLON_CLASS, DOT_CLASS, or -1 for anything else. */
const CHAR_CLASS = new Int8Array(128).fill(-1);
const COLON_CLASS = 16;
const DOT_CLASS = 17;
for (let d = 0; d < 16; d++) {
  CHAR_CLASS['0123456789abcdef'.charCodeAt(d)] = d;
  CHAR_CLASS['0123456789ABCDEF'.charCodeAt(d)] = d;
}
CHAR_CLASS[COLON] = COLON_CLASS;
CHAR_CLASS[DOT] = DOT_CLASS;

const groups = new Uint32Array(8);
const embedded = new Uint32Array(1);

/**
 * Parses IPv6 text (RFC 4291 §2.2: hex groups, one `::`, an optional trailing
 * dotted-quad) in text[start, end) into out[at..at+3]. One pass, one table
 * look-up a character: this runs for every request from an IPv6 source.
 */
export function parseIpv6(text: string, start: number, end: number, out: Uint32Array, at: number): boolean {
  let count = 0;
  let gap = -1;
  let value = 0;
  let digits = 0;
  let groupStart = start;
  /** Just after a `:` that ended a group, or just after `::`. */
  let afterColon = false;
  let afterGap = false;
  let i = start;
  if (i < end && text.charCodeAt(i) === COLON) {
    if (i + 1 >= end || text.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    afterGap = true;
    i += 2;
    groupStart = i;
  }
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    const kind = c < 128 ? CHAR_CLASS[c]! : -1;
    if (kind < COLON_CLASS) {
      if (kind < 0 || ++digits > 4) return false;
      value = (value << 4) | kind;
      afterColon = afterGap = false;
    } else if (kind === COLON_CLASS) {
      if (digits > 0) {
        if (count === 8) return false;
        groups[count++] = value;
        value = digits = 0;
        afterColon = true;
      } else if (afterColon && gap < 0) {
        gap = count;
        afterColon = false;
        afterGap = true;
      } else {
        return false;
      }
      groupStart = i + 1;
    } else {
      // RFC 4291 §2.2 (3): the low 32 bits as dotted decimal, only at the end.
      if (count > 6 || !parseIpv4(text, groupStart, end, embedded, 0)) return false;
      groups[count++] = embedded[0]! >>> 16;
      groups[count++] = embedded[0]! & 0xffff;
      digits = 0;
      afterGap = true; // nothing may follow, as after a closing `::`
      break;
    }
  }
  if (digits > 0) {
    if (count === 8) return false;
    groups[count++] = value;
  } else if (!afterGap) {
    return false; // empty, or a single trailing `:`
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
