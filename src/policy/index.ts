/**
 * The pure policy core: list parsing (addresses, blocks, DNS names),
 * matching and decisions. No I/O (what names resolve to is handed in);
 * the store, the SIP edge and the admin tools all decide through this.
 */
export { parseAddress, parseIpv4, parseIpv6, isIpAddress, formatAddress, canonicalAddress, type Family } from './ip-address.js';
export {
  COUNTRY_CODES,
  CountryRanges,
  CountryTable,
  NO_COUNTRIES,
  NO_COUNTRY_DATA,
  parseCountrySet,
  type CountryLookup,
  type CountrySet,
  type CountrySetResult,
} from './country.js';
export {
  parseCidrList,
  canonicalEntry,
  writtenEntry,
  isNameEntry,
  NAME_ENTRY,
  type CidrList,
  type CidrListResult,
  type CidrWarning,
  type TokenError,
  type TokenProblem,
  type WarningKind,
} from './cidr-list.js';
export { type AllowedCountries } from './country-allowance.js';
export { type Ipv4CountryIndex, ipv4CountryIndexBytes } from './ipv4-country-index.js';
export { CidrMatcher, NO_MATCH, BAD_ADDRESS } from './cidr-matcher.js';
export { isDnsName, canonicalName, MAX_NAME_LENGTH } from './dns-name.js';
export { NameTable, NO_NAMES, canonicalAddresses, type NameAddresses, type NameHolder } from './name-table.js';
export { SCOPES, isScope, EMPTY_LIST_ALLOWS, type Scope } from './scope.js';
export {
  compileScopePolicy,
  withCountryData,
  decide,
  DENY_UNAVAILABLE,
  type Decision,
  type DecisionReason,
  type MatchedEntry,
  type ScopePolicy,
  type ScopePolicyInput,
  type ScopePolicyResult,
} from './decision.js';
export {
  compileForwardingTrust,
  resolveSource,
  DEFAULT_FORWARDED_HEADER,
  TRUST_NO_PROXY,
  type ForwardingTrust,
  type ForwardingTrustResult,
  type ResolvedSource,
} from './forwarding.js';
