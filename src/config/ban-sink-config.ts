/**
 * Where bans are enforced besides the edge's own 403 (SIPWARDEN_BAN_SINK):
 * `edge` alone, or `nftables`, the kernel ban sink, which drops a banned
 * source's packets to the guarded ports before drachtio-server sees them.
 */
import { type GuardedPort, parseGuardedPorts } from '../shed/guarded-ports.js';
import { type EnvErrors, type EnvReader, oneOf, text } from './env.js';

export const BAN_SINKS = ['edge', 'nftables'] as const;

export type BanSinkConfig =
  | { readonly kind: 'edge' }
  | {
      readonly kind: 'nftables';
      /** The inet table sipwarden owns (SIPWARDEN_NFT_TABLE). */
      readonly table: string;
      /** SIPWARDEN_NFT_PORTS; undefined: the ports of the listeners drachtio-server announces. */
      readonly ports?: readonly GuardedPort[];
    };

/** nft's identifiers, kept to what needs no quoting in a batch. */
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export function banSinkConfig(env: EnvReader, errors: EnvErrors): BanSinkConfig {
  const kind = oneOf(env, errors, 'SIPWARDEN_BAN_SINK', BAN_SINKS, 'edge');
  const table = text(env, 'SIPWARDEN_NFT_TABLE', 'sipwarden');
  if (!TABLE_NAME.test(table)) errors.fail('SIPWARDEN_NFT_TABLE', 'an nftables table name: a letter, then letters, digits or _, at most 32', table);
  const portsText = text(env, 'SIPWARDEN_NFT_PORTS');
  const ports = portsText === undefined ? undefined : parseGuardedPorts(portsText);
  if (ports !== undefined && !ports.ok) errors.messages.push(`SIPWARDEN_NFT_PORTS: ${ports.message}`);
  if (kind === 'edge') return { kind };
  return { kind, table, ...(ports?.ok === true && { ports: ports.ports }) };
}
