/**
 * The text of the batches sipwarden hands `nft -f -`: its own table, and the
 * element changes that mirror the ban list into it. Pure, so what reaches
 * the kernel is tested without one. The table:
 *
 *   table inet sipwarden {
 *     set banned4 { type ipv4_addr; flags timeout; }
 *     set banned6 { type ipv6_addr; flags timeout; }
 *     chain input {
 *       type filter hook input priority -10; policy accept;
 *       udp dport { 5060 } ip saddr @banned4 drop
 *       udp dport { 5060 } ip6 saddr @banned6 drop
 *       tcp dport { 5060, 5061 } ip saddr @banned4 drop
 *       ...
 *       udp dport { 5060 } ip saddr != @exempt4 ip saddr != @seen4
 *         update @meter4 { ip saddr limit rate over 200/second burst 50 packets } counter drop
 *       ...
 *     }
 *   }
 *
 * The last rules, the per-source rate limit (present unless
 * SIPWARDEN_NFT_SOURCE_RATE=0), come with six more sets: exempt4/6 (the
 * never-ban list and trusted proxies, constant), seen4/6 (sources the edge
 * allowed, each for an hour) and meter4/6 (the kernel's token bucket per
 * other source).
 *
 * Priority -10 runs before the usual filter chains; a drop in any base chain
 * is final, so an accept elsewhere cannot undo it, and the chain accepts
 * everything else for the other tables to judge.
 */
import type { Family } from '../policy/index.js';
import { GUARDED_PROTOCOLS, type GuardedPort } from './guarded-ports.js';
import type { KernelPrefix } from './exempt-prefixes.js';
import type { KernelAddress } from './kernel-address.js';

export type SetPair = Readonly<Record<Family, string>>;

export const CHAIN = 'input';
export const SET_OF: SetPair = { 4: 'banned4', 6: 'banned6' };
export const SEEN_SET_OF: SetPair = { 4: 'seen4', 6: 'seen6' };
export const EXEMPT_SET_OF: SetPair = { 4: 'exempt4', 6: 'exempt6' };
const METER_SET_OF: SetPair = { 4: 'meter4', 6: 'meter6' };
const SADDR_OF: SetPair = { 4: 'ip saddr', 6: 'ip6 saddr' };
const TYPE_OF: SetPair = { 4: 'ipv4_addr', 6: 'ipv6_addr' };
/**
 * Sources metered at once; past it `update` cannot add one and the kernel
 * breaks off the rule (nft_dynset: NFT_BREAK), so the packet passes: a
 * flood from more sources within METER_IDLE is not clamped past them, and
 * the bans still come.
 */
const METER_SOURCES = 65_535;
/** A source's bucket is forgotten this long after its last packet: `update` renews the element's timeout, `add` would not. */
const METER_IDLE = '10s';

/** An address as the kernel holds it in a set with timeouts: how long until the kernel drops it itself. */
export interface TimedAddress extends KernelAddress {
  readonly timeoutMs: number;
}

/** A ban as the kernel holds it. */
export type KernelBan = TimedAddress;

/** The kernel's per-source rate limit on UDP to the guarded ports, in front of the bans. */
export interface SourceMeter {
  /** Packets a second per source past which they are dropped. */
  readonly rate: number;
  /** Packets a source may send at once above the rate. */
  readonly burst: number;
  /** Never metered: the never-ban list and the trusted proxies. */
  readonly exempt: readonly KernelPrefix[];
}

/** What the table's definition depends on. */
export interface KernelLayout {
  readonly ports: readonly GuardedPort[];
  /** Undefined: no rate limit, and none of its sets. */
  readonly meter?: SourceMeter | undefined;
}

/** The elements to (re)write and to remove in one batch. */
export interface ElementChanges {
  readonly upsert: readonly TimedAddress[];
  readonly remove: readonly KernelAddress[];
}

/**
 * The chain's rules: per protocol and family, the guarded ports from a
 * banned source are dropped; then, for UDP alone, a source neither exempt
 * nor seen is dropped past its rate. TCP is never metered: a dropped
 * segment is retransmitted and stalls the stream, and floods come as UDP.
 */
export function guardRules({ ports, meter }: KernelLayout): string[] {
  const rules: string[] = [];
  const portsOf = (protocol: string) => ports.filter((p) => p.protocol === protocol).map((p) => p.port);
  for (const protocol of GUARDED_PROTOCOLS) {
    const numbers = portsOf(protocol);
    if (numbers.length === 0) continue;
    for (const family of [4, 6] as const) rules.push(`${protocol} dport { ${numbers.join(', ')} } ${SADDR_OF[family]} @${SET_OF[family]} drop`);
  }
  const udp = portsOf('udp');
  if (meter === undefined || udp.length === 0) return rules;
  for (const family of [4, 6] as const) {
    const saddr = SADDR_OF[family];
    const limit = `${saddr} limit rate over ${meter.rate}/second burst ${meter.burst} packets`;
    rules.push(`udp dport { ${udp.join(', ')} } ${saddr} != @${EXEMPT_SET_OF[family]} ${saddr} != @${SEEN_SET_OF[family]} update @${METER_SET_OF[family]} { ${limit} } counter drop`);
  }
  return rules;
}

/** The meter's sets; exempt holds blocks (interval), meter is the kernel's own (dynamic). */
function meterSets(): string[] {
  return ([4, 6] as const).flatMap((family) => [
    `  set ${EXEMPT_SET_OF[family]} { type ${TYPE_OF[family]}; flags interval; }`,
    `  set ${SEEN_SET_OF[family]} { type ${TYPE_OF[family]}; flags timeout; }`,
    `  set ${METER_SET_OF[family]} { type ${TYPE_OF[family]}; size ${METER_SOURCES}; flags dynamic,timeout; timeout ${METER_IDLE}; }`,
  ]);
}

/**
 * Creates the table, or replaces it whole: `table` makes sure it exists so
 * that `delete` cannot fail, and the definition follows, all in one batch
 * the kernel applies atomically. A restart never duplicates a rule, a set
 * defined differently by an older sipwarden is replaced, and no other table
 * is touched. `elements` go in the same batch, so a replaced table is never
 * seen empty.
 */
export function tableBatch(table: string, layout: KernelLayout, bans: readonly KernelBan[] = [], seen: readonly TimedAddress[] = []): string {
  const lines = [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    `  set ${SET_OF[4]} { type ipv4_addr; flags timeout; }`,
    `  set ${SET_OF[6]} { type ipv6_addr; flags timeout; }`,
    ...(layout.meter === undefined ? [] : meterSets()),
    `  chain ${CHAIN} {`,
    '    type filter hook input priority -10; policy accept;',
    ...guardRules(layout).map((rule) => `    ${rule}`),
    '  }',
    '}',
  ];
  const exempt = layout.meter === undefined ? '' : exemptBatch(table, layout.meter.exempt);
  return `${lines.join('\n')}\n${changesBatch(table, { upsert: bans, remove: [] })}${changesBatch(table, { upsert: seen, remove: [] }, SEEN_SET_OF)}${exempt}`;
}

/** Rewrites the chain's rules for `layout`, leaving the sets and their elements as they are. */
export function guardBatch(table: string, layout: KernelLayout): string {
  return [`flush chain inet ${table} ${CHAIN}`, ...guardRules(layout).map((rule) => `add rule inet ${table} ${CHAIN} ${rule}`)].map((line) => `${line}\n`).join('');
}

/** Sets the exempt sets to `prefixes`, whatever they held. */
export function exemptBatch(table: string, prefixes: readonly KernelPrefix[]): string {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const set = `inet ${table} ${EXEMPT_SET_OF[family]}`;
    const texts = prefixes.filter((prefix) => prefix.family === family).map((prefix) => prefix.text);
    lines.push(`flush set ${set}`);
    if (texts.length > 0) lines.push(`add element ${set} { ${texts.join(', ')} }`);
  }
  return lines.map((line) => `${line}\n`).join('');
}

/**
 * Element changes that cannot fail on what the kernel holds: nft 1.0.6 has
 * no `destroy`, `delete` fails for an element that is not there (one that
 * expired a moment ago), and `add` leaves an existing element's timeout as
 * it was. So every element touched is first added (a no-op when present),
 * then deleted, and the upserted ones are added again with their timeout.
 * The ban sets by default; the seen sets take their elements the same way.
 */
export function changesBatch(table: string, changes: ElementChanges, sets: SetPair = SET_OF): string {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const set = `inet ${table} ${sets[family]}`;
    const upsert = changes.upsert.filter((ban) => ban.family === family);
    const touched = [...upsert, ...changes.remove.filter((ban) => ban.family === family)].map((ban) => ban.address);
    if (touched.length === 0) continue;
    lines.push(`add element ${set} { ${touched.map((address) => `${address} timeout 1000ms`).join(', ')} }`);
    lines.push(`delete element ${set} { ${touched.join(', ')} }`);
    if (upsert.length > 0) lines.push(`add element ${set} { ${upsert.map((ban) => `${ban.address} timeout ${Math.round(ban.timeoutMs)}ms`).join(', ')} }`);
  }
  return lines.map((line) => `${line}\n`).join('');
}
