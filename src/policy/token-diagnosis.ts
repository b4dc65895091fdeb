/**
 * Why a list token is not an entry. Only runs for tokens the fast parser
 * refused, so it can afford ipaddr.js, whose broader grammar is what lets it
 * tell "an IPv4 shorthand we refuse" from "not an address at all".
 *
 * A token is judged as a name when it was meant as one (letters, no colon:
 * see looksLikeName) and is no IPv4 shorthand, so `010.0.0.1`, `127.1` and
 * `0x7f.1` keep their address diagnoses and `pbx_1.example` gets a name's.
 */
import ipaddr from 'ipaddr.js';
import { diagnoseName, looksLikeName } from './dns-name.js';

export type TokenProblem =
  | 'empty-token'
  | 'not-an-address'
  | 'leading-zero'
  | 'ipv4-shorthand'
  | 'zone-id'
  | 'bad-prefix'
  | 'prefix-out-of-range'
  | 'bad-name';

export interface Diagnosis {
  readonly problem: TokenProblem;
  readonly detail: string;
}

const DOTTED_DECIMAL = /^\d+(\.\d+){3}$/;
const TRAILING_DOTTED = /(?:^|:)(\d+(?:\.\d+){3})$/;

function hasLeadingZeroOctet(dotted: string): boolean {
  return dotted.split('.').some((octet) => octet.length > 1 && octet.startsWith('0'));
}

function diagnoseAddress(address: string): Diagnosis | undefined {
  if (address.includes('%')) {
    return { problem: 'zone-id', detail: 'IPv6 zone ids (%eth0) name an interface on one host and are not allowed' };
  }
  if (address.includes(':')) {
    const dotted = TRAILING_DOTTED.exec(address)?.[1];
    if (dotted !== undefined && hasLeadingZeroOctet(dotted)) {
      return { problem: 'leading-zero', detail: 'an IPv4 octet with a leading zero is ambiguous (octal or decimal)' };
    }
    return ipaddr.IPv6.isValid(address) ? undefined : { problem: 'not-an-address', detail: 'not an IPv6 address' };
  }
  if (DOTTED_DECIMAL.test(address) && hasLeadingZeroOctet(address)) {
    return { problem: 'leading-zero', detail: 'an IPv4 octet with a leading zero is ambiguous (octal or decimal)' };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return undefined;
  if (ipaddr.IPv4.isValid(address)) {
    return { problem: 'ipv4-shorthand', detail: 'hex, octal and short IPv4 forms are not allowed: write four decimal octets' };
  }
  return { problem: 'not-an-address', detail: 'not an IPv4 or IPv6 address' };
}

function diagnosePrefix(prefix: string, isIpv6: boolean): Diagnosis {
  const max = isIpv6 ? 128 : 32;
  if (!/^\d{1,3}$/.test(prefix)) {
    return { problem: 'bad-prefix', detail: `prefix length must be a decimal number from 0 to ${max}` };
  }
  if (prefix.length > 1 && prefix.startsWith('0')) {
    return { problem: 'bad-prefix', detail: 'prefix length must not have leading zeros' };
  }
  return { problem: 'prefix-out-of-range', detail: `prefix /${prefix} is out of range for IPv${isIpv6 ? 6 : 4} (0-${max})` };
}

/** Names what is wrong with a token that failed the strict parser. */
export function diagnoseToken(token: string): Diagnosis {
  if (token === '') return { problem: 'empty-token', detail: 'empty entry (two commas in a row, or a leading comma)' };
  const slash = token.indexOf('/');
  const address = slash < 0 ? token : token.slice(0, slash);
  if (looksLikeName(token) && !ipaddr.IPv4.isValid(address)) return diagnoseName(token);
  const addressProblem = diagnoseAddress(address);
  if (addressProblem !== undefined) return addressProblem;
  if (slash < 0) return { problem: 'not-an-address', detail: 'not an IPv4 or IPv6 address' };
  return diagnosePrefix(token.slice(slash + 1), address.includes(':'));
}
