/**
 * DNS names as list entries: host names whose current addresses an edge
 * allows (`agent7.dyn.example.net`), for agents whose address changes but
 * whose name does not.
 *
 * A name is RFC 1123 §2.1 host name syntax, fully qualified:
 * - labels of 1 to 63 letters, digits and hyphens, not starting or ending
 *   with a hyphen (RFC 952 as relaxed by RFC 1123); no `_`, no `*` (a
 *   wildcard would allow whatever an attacker names under it), no non-ASCII
 *   (an IDN is written in its `xn--` form);
 * - at least two labels: a single label (`pbx`) is not fully qualified and
 *   would depend on each edge's search domains;
 * - a last label that is not all digits (RFC 3696 §2), so `10.0.0.1` and
 *   `127.1` are always read as addresses, never as names;
 * - 253 characters at most, one trailing dot allowed (`example.net.`).
 *
 * The canonical form is lower case without the trailing dot: DNS names are
 * case-insensitive (RFC 4343), so `Agent7.Example.NET` is the same entry.
 */
import type { Diagnosis } from './token-diagnosis.js';

export const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

const DOT = 0x2e;
const HYPHEN = 0x2d;

function isLetterOrDigit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** True when text[start, end) is a valid name entry (see the module comment). */
export function isDnsName(text: string, start: number, end: number): boolean {
  if (end > start && text.charCodeAt(end - 1) === DOT) end--;
  if (end - start < 3 || end - start > MAX_NAME_LENGTH) return false;
  let labels = 0;
  let labelStart = start;
  let allDigits = true;
  for (let i = start; i <= end; i++) {
    const c = i === end ? DOT : text.charCodeAt(i);
    if (c === DOT) {
      const length = i - labelStart;
      if (length === 0 || length > MAX_LABEL_LENGTH) return false;
      if (text.charCodeAt(labelStart) === HYPHEN || text.charCodeAt(i - 1) === HYPHEN) return false;
      labels++;
      if (i === end) break;
      labelStart = i + 1;
      allDigits = true;
    } else if (isLetterOrDigit(c)) {
      if (!isDigit(c)) allDigits = false;
    } else if (c === HYPHEN) {
      allDigits = false;
    } else {
      return false;
    }
  }
  return labels >= 2 && !allDigits;
}

/** The canonical form of a name entry as written: lower case, no trailing dot. */
export function canonicalName(written: string): string {
  const name = written.endsWith('.') ? written.slice(0, -1) : written;
  return name.toLowerCase();
}

/**
 * Whether a token the parser refused was meant as a name: it has a letter,
 * `*` or `_` and no `:` (an IPv6 address has hex letters and colons; an
 * IPv4 address, whatever its mistakes, has no letters once ipaddr.js's
 * hex and octal shorthands were told apart).
 */
export function looksLikeName(token: string): boolean {
  return !token.includes(':') && /[A-Za-z*_]|[^\x00-\x7f]/.test(token);
}

function bad(detail: string): Diagnosis {
  return { problem: 'bad-name', detail };
}

/** What is wrong with a token meant as a name (looksLikeName) that isDnsName refused. */
export function diagnoseName(token: string): Diagnosis {
  if (token.includes('/')) return bad('a DNS name takes no prefix length: it allows exactly the addresses it resolves to');
  if (token.includes('*')) return bad('wildcard names are not allowed: list each host name');
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(token)) return bad('non-ASCII characters in a DNS name: write an internationalized name in its xn-- (punycode) form');
  const name = token.endsWith('.') ? token.slice(0, -1) : token;
  if (name.length > MAX_NAME_LENGTH) return bad(`a DNS name is at most ${MAX_NAME_LENGTH} characters, this one has ${name.length}`);
  const stray = /[^A-Za-z0-9.-]/.exec(name);
  if (stray) return bad(`${JSON.stringify(stray[0])} is not allowed in a host name (letters, digits, hyphens and dots only)`);
  const labels = name.split('.');
  if (labels.some((label) => label === '')) return bad('empty label in a DNS name (two dots in a row, or a leading dot)');
  const long = labels.find((label) => label.length > MAX_LABEL_LENGTH);
  if (long !== undefined) return bad(`a DNS label is at most ${MAX_LABEL_LENGTH} characters, ${JSON.stringify(long.slice(0, 20))}… has ${long.length}`);
  if (labels.some((label) => label.startsWith('-') || label.endsWith('-'))) return bad('a DNS label must not start or end with a hyphen');
  if (labels.length < 2) return bad('not a fully qualified name: write the whole name (pbx.example.net), or an IPv4 or IPv6 address');
  return bad('the last label of a DNS name must not be all digits');
}
