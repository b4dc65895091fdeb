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
 *     }
 *   }
 *
 * Priority -10 runs before the usual filter chains; a drop in any base chain
 * is final, so an accept elsewhere cannot undo it, and the chain accepts
 * everything else for the other tables to judge.
 */
import type { Family } from '../policy/index.js';
import { GUARDED_PROTOCOLS, type GuardedPort } from './guarded-ports.js';
import type { KernelAddress } from './kernel-address.js';

export const CHAIN = 'input';
export const SET_OF: Readonly<Record<Family, string>> = { 4: 'banned4', 6: 'banned6' };
const SADDR_OF: Readonly<Record<Family, string>> = { 4: 'ip saddr', 6: 'ip6 saddr' };

/** A ban as the kernel holds it: the address and how long until the kernel drops it itself. */
export interface KernelBan extends KernelAddress {
  readonly timeoutMs: number;
}

/** The elements to (re)write and to remove in one batch. */
export interface ElementChanges {
  readonly upsert: readonly KernelBan[];
  readonly remove: readonly KernelAddress[];
}

/** The chain's rules: per protocol and family, the guarded ports from a banned source are dropped. */
export function guardRules(ports: readonly GuardedPort[]): string[] {
  const rules: string[] = [];
  for (const protocol of GUARDED_PROTOCOLS) {
    const numbers = ports.filter((p) => p.protocol === protocol).map((p) => p.port);
    if (numbers.length === 0) continue;
    for (const family of [4, 6] as const) rules.push(`${protocol} dport { ${numbers.join(', ')} } ${SADDR_OF[family]} @${SET_OF[family]} drop`);
  }
  return rules;
}

/**
 * Creates the table, or replaces it whole: `table` makes sure it exists so
 * that `delete` cannot fail, and the definition follows, all in one batch
 * the kernel applies atomically. A restart never duplicates a rule, a set
 * defined differently by an older sipwarden is replaced, and no other table
 * is touched. `elements` go in the same batch, so a replaced table is never
 * seen empty.
 */
export function tableBatch(table: string, ports: readonly GuardedPort[], elements: readonly KernelBan[] = []): string {
  const lines = [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    `  set ${SET_OF[4]} { type ipv4_addr; flags timeout; }`,
    `  set ${SET_OF[6]} { type ipv6_addr; flags timeout; }`,
    `  chain ${CHAIN} {`,
    '    type filter hook input priority -10; policy accept;',
    ...guardRules(ports).map((rule) => `    ${rule}`),
    '  }',
    '}',
  ];
  return `${lines.join('\n')}\n${changesBatch(table, { upsert: elements, remove: [] })}`;
}

/** Rewrites the chain's rules for `ports`, leaving the sets and their elements as they are. */
export function guardBatch(table: string, ports: readonly GuardedPort[]): string {
  return [`flush chain inet ${table} ${CHAIN}`, ...guardRules(ports).map((rule) => `add rule inet ${table} ${CHAIN} ${rule}`)].map((line) => `${line}\n`).join('');
}

/**
 * Element changes that cannot fail on what the kernel holds: nft 1.0.6 has
 * no `destroy`, `delete` fails for an element that is not there (one that
 * expired a moment ago), and `add` leaves an existing element's timeout as
 * it was. So every element touched is first added (a no-op when present),
 * then deleted, and the upserted ones are added again with their timeout.
 */
export function changesBatch(table: string, changes: ElementChanges): string {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    const set = `inet ${table} ${SET_OF[family]}`;
    const upsert = changes.upsert.filter((ban) => ban.family === family);
    const touched = [...upsert, ...changes.remove.filter((ban) => ban.family === family)].map((ban) => ban.address);
    if (touched.length === 0) continue;
    lines.push(`add element ${set} { ${touched.map((address) => `${address} timeout 1000ms`).join(', ')} }`);
    lines.push(`delete element ${set} { ${touched.join(', ')} }`);
    if (upsert.length > 0) lines.push(`add element ${set} { ${upsert.map((ban) => `${ban.address} timeout ${Math.round(ban.timeoutMs)}ms`).join(', ')} }`);
  }
  return lines.map((line) => `${line}\n`).join('');
}
