/**
 * Where bans are enforced besides the edge's own 403 (SIPWARDEN_BAN_SINK):
 * `edge` alone, or `nftables`, the kernel ban sink, which drops a banned
 * source's packets to the guarded ports before drachtio-server sees them,
 * and (SIPWARDEN_NFT_SOURCE_RATE) UDP past a rate from any source neither
 * exempt nor allowed lately. The SIPWARDEN_NFT_* variables are checked
 * whatever the sink, and mean nothing with `edge`.
 */
import { type GuardedPort, parseGuardedPorts } from '../shed/guarded-ports.js';
import { type EnvErrors, type EnvReader, integer, oneOf, text } from './env.js';

export const BAN_SINKS = ['edge', 'nftables'] as const;

export type BanSinkConfig =
  | { readonly kind: 'edge' }
  | {
      readonly kind: 'nftables';
      /** The inet table sipwarden owns (SIPWARDEN_NFT_TABLE). */
      readonly table: string;
      /** SIPWARDEN_NFT_PORTS; undefined: the ports of the listeners drachtio-server announces. */
      readonly ports?: readonly GuardedPort[];
      /** SIPWARDEN_NFT_SOURCE_RATE: UDP packets a second per source past which the kernel drops them; 0: no such limit. */
      readonly sourceRate: number;
      /** SIPWARDEN_NFT_SOURCE_BURST: packets a source may send at once above the rate. */
      readonly sourceBurst: number;
    };

/**
 * A phone sends a few requests a second at most, a REGISTER storm after an
 * outage a few dozen; 200/s clamps a flood to a rate drachtio-server and
 * the edge answer without queueing.
 */
export const DEFAULT_SOURCE_RATE = 200;
/** nft's limit takes 32-bit rates; far past any SIP source's. */
const MAX_SOURCE_RATE = 1_000_000;

/** nft's identifiers, kept to what needs no quoting in a batch. */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export function banSinkConfig(env: EnvReader, errors: EnvErrors): BanSinkConfig {
  const kind = oneOf(env, errors, 'SIPWARDEN_BAN_SINK', BAN_SINKS, 'edge');
  const table = text(env, 'SIPWARDEN_NFT_TABLE', 'sipwarden');
  if (!TABLE_NAME.test(table)) errors.fail('SIPWARDEN_NFT_TABLE', 'an nftables table name: a letter, then letters, digits or _, at most 32', table);
  const portsText = text(env, 'SIPWARDEN_NFT_PORTS');
  const ports = portsText === undefined ? undefined : parseGuardedPorts(portsText);
  if (ports !== undefined && !ports.ok) errors.messages.push(`SIPWARDEN_NFT_PORTS: ${ports.message}`);
  const sourceRate = integer(env, errors, 'SIPWARDEN_NFT_SOURCE_RATE', DEFAULT_SOURCE_RATE, 0, MAX_SOURCE_RATE);
  // A quarter of the rate by default: well under auto-ban's threshold, so a flood's opening burst is
  // clamped before its ban instead of queueing in drachtio-server (bench:flood: a burst of twice the
  // rate let 900 requests through and put the allowed client's p99 at 133 ms).
  const sourceBurst = integer(env, errors, 'SIPWARDEN_NFT_SOURCE_BURST', Math.max(1, Math.ceil(sourceRate / 4)), 1, 2 * MAX_SOURCE_RATE);
  if (kind === 'edge') return { kind };
  return { kind, table, ...(ports?.ok === true && { ports: ports.ports }), sourceRate, sourceBurst };
}
