/**
 * Comma-separated CIDR lists, the form admins write and Redis stores:
 * `203.0.113.0/24, 198.51.100.7 ,2001:db8::/32, agent7.dyn.example.net`.
 * An entry is an address, a CIDR block or a DNS name (dns-name.ts); a token
 * is tried as an address first, so a name is never mistaken for one.
 *
 * Parsing never stops at the first bad token: an admin pasting 500 entries
 * wants every mistake named at once, with its position.
 */
import { canonicalName, isDnsName } from './dns-name.js';
import { type Family, formatAddress, isIpv4Mapped, parseIpv4, parseIpv6 } from './ip-address.js';
import { type TokenProblem, diagnoseToken } from './token-diagnosis.js';

export type { TokenProblem } from './token-diagnosis.js';

/** A parsed list, stored column-wise so a 1,000,000-entry list is a few typed arrays, not a million objects. */
export interface CidrList {
  /** The list text exactly as given; entries refer into it. */
  readonly text: string;
  readonly length: number;
  /** 4 or 6 per address entry, after IPv4-mapped IPv6 was folded to IPv4; NAME_ENTRY (0) for a DNS name. */
  readonly families: Uint8Array;
  /** Prefix length per entry (a bare address is /32 or /128; 0 for a name). */
  readonly prefixes: Uint8Array;
  /** Network address per entry, host bits cleared: 4 words each, IPv4 in the first (zero for a name). */
  readonly words: Uint32Array;
  /** [start, end) of each entry's token in `text`, whitespace trimmed. */
  readonly spans: Uint32Array;
}

/** `families` value of a DNS name entry: it has no address of its own. */
export const NAME_ENTRY = 0;

export interface TokenError {
  /** 1-based position of the token in the list. */
  readonly index: number;
  /** 0-based character offset of the token in the text. */
  readonly offset: number;
  readonly token: string;
  readonly problem: TokenProblem;
  readonly message: string;
}

export type WarningKind = 'host-bits-set' | 'matches-everyone' | 'ipv4-mapped';

export interface CidrWarning {
  readonly index: number;
  readonly offset: number;
  readonly token: string;
  readonly kind: WarningKind;
  /** The entry as it is enforced. */
  readonly normalized: string;
  readonly message: string;
}

export type CidrListResult =
  | { readonly ok: true; readonly list: CidrList; readonly warnings: readonly CidrWarning[] }
  | { readonly ok: false; readonly errors: readonly TokenError[]; readonly message: string };

const MAX_SHOWN_TOKEN = 64;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function shown(token: string): string {
  return JSON.stringify(token.length > MAX_SHOWN_TOKEN ? `${token.slice(0, MAX_SHOWN_TOKEN)}…` : token);
}

/** Clears the bits past `prefix` in words[at..at+3]; true when any was set. */
function clearHostBits(words: Uint32Array, at: number, family: Family, prefix: number): boolean {
  let changed = false;
  const count = family === 4 ? 1 : 4;
  for (let w = 0; w < count; w++) {
    const bits = Math.min(32, Math.max(0, prefix - 32 * w));
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    const word = words[at + w]!;
    const kept = (word & mask) >>> 0;
    if (kept !== word) {
      words[at + w] = kept;
      changed = true;
    }
  }
  return changed;
}

/** Parses a decimal prefix length in text[start, end) without leading zeros; -1 if malformed or > max. */
function parsePrefix(text: string, start: number, end: number, max: number): number {
  const length = end - start;
  if (length < 1 || length > 3) return -1;
  if (length > 1 && text.charCodeAt(start) === 0x30) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value <= max ? value : -1;
}

/**
 * Parses one address or block token in text[start, end) into the column
 * arrays. Returns the family, or 0 when the token is not a valid CIDR.
 */
function parseToken(text: string, start: number, end: number, list: Omit<CidrList, 'text' | 'length'>, slot: number): Family | 0 {
  // A prefix is at most three digits, so a valid `/` is among the last four
  // characters; one elsewhere fails the address parse, as it should.
  let addressEnd = end;
  for (let i = end - 1; i >= start && i >= end - 4; i--) {
    if (text.charCodeAt(i) === 0x2f) {
      addressEnd = i;
      break;
    }
  }
  const at = slot * 4;
  // IPv4 first: it gives up at the first hex letter or colon of an IPv6 address.
  let family: Family;
  if (parseIpv4(text, start, addressEnd, list.words, at)) family = 4;
  else if (parseIpv6(text, start, addressEnd, list.words, at)) family = 6;
  else return 0;
  const max = family === 4 ? 32 : 128;
  const prefix = addressEnd === end ? max : parsePrefix(text, addressEnd + 1, end, max);
  if (prefix < 0) return 0;
  list.families[slot] = family;
  list.prefixes[slot] = prefix;
  return family;
}

/** Folds an IPv4-mapped IPv6 entry (::ffff:0:0/96 or narrower) to IPv4, RFC 4291 §2.5.5.2. */
function foldMapped(list: Omit<CidrList, 'text' | 'length'>, slot: number): boolean {
  const at = slot * 4;
  if (list.families[slot] !== 6 || list.prefixes[slot]! < 96 || !isIpv4Mapped(list.words, at)) return false;
  list.words[at] = list.words[at + 3]!;
  list.words[at + 1] = 0;
  list.words[at + 2] = 0;
  list.words[at + 3] = 0;
  list.families[slot] = 4;
  list.prefixes[slot] = list.prefixes[slot]! - 96;
  return true;
}

/** True when entry `slot` is a DNS name. */
export function isNameEntry(list: CidrList, slot: number): boolean {
  return list.families[slot] === NAME_ENTRY;
}

/** The canonical text of entry `slot`: a bare address for a single host, network/prefix, or a lower-case name. */
export function canonicalEntry(list: CidrList, slot: number): string {
  if (list.families[slot] === NAME_ENTRY) return canonicalName(writtenEntry(list, slot));
  const family = list.families[slot] as Family;
  const address = formatAddress(family, list.words, slot * 4);
  const prefix = list.prefixes[slot]!;
  return prefix === (family === 4 ? 32 : 128) ? address : `${address}/${prefix}`;
}

/** The entry's token exactly as the admin wrote it. */
export function writtenEntry(list: CidrList, slot: number): string {
  return list.text.slice(list.spans[2 * slot], list.spans[2 * slot + 1]);
}

function countTokens(text: string): number {
  let count = 1;
  for (let i = text.indexOf(','); i >= 0; i = text.indexOf(',', i + 1)) count++;
  return count;
}

/**
 * Parses a comma-separated CIDR list. Whitespace and newlines around tokens
 * and one trailing comma are tolerated; an empty or blank text is the empty list.
 */
export function parseCidrList(text: string): CidrListResult {
  const capacity = countTokens(text);
  const columns = {
    families: new Uint8Array(capacity),
    prefixes: new Uint8Array(capacity),
    words: new Uint32Array(capacity * 4),
    spans: new Uint32Array(capacity * 2),
  };
  const errors: TokenError[] = [];
  const warningSlots: Array<{ slot: number; index: number; kind: WarningKind }> = [];
  let length = 0;
  let index = 0;
  for (let position = 0; ; ) {
    const comma = text.indexOf(',', position);
    const tokenEnd = comma < 0 ? text.length : comma;
    index++;
    let start = position;
    let end = tokenEnd;
    while (start < end && isSpace(text.charCodeAt(start))) start++;
    while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
    if (start === end) {
      // The last token may be empty: a blank text, or one trailing comma.
      if (comma >= 0) {
        const diagnosis = diagnoseToken('');
        errors.push({ index, offset: start, token: '', problem: diagnosis.problem, message: diagnosis.detail });
      }
    } else if (parseToken(text, start, end, columns, length) !== 0) {
      const slot = length++;
      columns.spans[2 * slot] = start;
      columns.spans[2 * slot + 1] = end;
      if (foldMapped(columns, slot)) warningSlots.push({ slot, index, kind: 'ipv4-mapped' });
      const family = columns.families[slot] as Family;
      const prefix = columns.prefixes[slot]!;
      if (clearHostBits(columns.words, slot * 4, family, prefix)) warningSlots.push({ slot, index, kind: 'host-bits-set' });
      if (prefix === 0) warningSlots.push({ slot, index, kind: 'matches-everyone' });
    } else if (isDnsName(text, start, end)) {
      const slot = length++;
      columns.spans[2 * slot] = start;
      columns.spans[2 * slot + 1] = end;
      // A name has no address of its own; a token refused before it may have left words in this slot.
      columns.families[slot] = NAME_ENTRY;
      columns.prefixes[slot] = 0;
      columns.words.fill(0, slot * 4, slot * 4 + 4);
    } else {
      const token = text.slice(start, end);
      const diagnosis = diagnoseToken(token);
      errors.push({ index, offset: start, token, problem: diagnosis.problem, message: diagnosis.detail });
    }
    if (comma < 0) break;
    position = comma + 1;
  }
  if (errors.length > 0) {
    const listed = errors.map((e) => `#${e.index} ${shown(e.token)} at offset ${e.offset}: ${e.message}`);
    return {
      ok: false,
      errors,
      message: `invalid CIDR list, ${errors.length} bad ${errors.length === 1 ? 'entry' : 'entries'}: ${listed.join('; ')}`,
    };
  }
  const list: CidrList = { text, length, ...columns };
  const warnings = warningSlots.map(({ slot, index, kind }) => describeWarning(list, slot, index, kind));
  return { ok: true, list, warnings };
}

function describeWarning(list: CidrList, slot: number, index: number, kind: WarningKind): CidrWarning {
  const token = writtenEntry(list, slot);
  const normalized = canonicalEntry(list, slot);
  const messages: Record<WarningKind, string> = {
    'host-bits-set': `host bits set, enforced as ${normalized}`,
    'ipv4-mapped': `IPv4-mapped IPv6, enforced as IPv4 ${normalized}`,
    'matches-everyone':
      list.families[slot] === 4 ? 'matches every IPv4 address' : 'matches every IPv6 address (IPv4 sources need 0.0.0.0/0)',
  };
  return { index, offset: list.spans[2 * slot]!, token, kind, normalized, message: messages[kind] };
}
