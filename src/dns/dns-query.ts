/**
 * One A or AAAA query for a name, through Node's dns.Resolver (c-ares: real
 * DNS with the records' TTLs, unlike dns.lookup and getaddrinfo), and what
 * its answer or error means for an allowlist.
 */
import type { RecordWithTtl } from 'node:dns';
import { Resolver } from 'node:dns/promises';

export type RecordType = 'A' | 'AAAA';

/**
 * - `ok`: addresses came back.
 * - `no-data`: the name exists but has no record of the type (an IPv4-only
 *   host asked for AAAA): an answer, not a failure.
 * - failures: `nxdomain` (no such name), `servfail`, `timeout`, `refused`
 *   (the server will not answer for it), `unreachable` (no server
 *   listening), `error` (anything else).
 */
export type QueryOutcome = 'ok' | 'no-data' | 'nxdomain' | 'servfail' | 'timeout' | 'refused' | 'unreachable' | 'error';

export const QUERY_OUTCOMES: readonly QueryOutcome[] = ['ok', 'no-data', 'nxdomain', 'servfail', 'timeout', 'refused', 'unreachable', 'error'];

/** What the edge asks DNS with: dns.promises.Resolver, or a stand-in in tests. */
export interface DnsClient {
  resolve4(name: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
  resolve6(name: string, options: { ttl: true }): Promise<RecordWithTtl[]>;
  /** Ends the queries in flight (they fail with ECANCELLED). */
  cancel(): void;
}

export interface QueryResult {
  readonly type: RecordType;
  readonly outcome: QueryOutcome;
  /** The addresses of an `ok` answer, as the server gave them; empty otherwise. */
  readonly addresses: readonly string[];
  /** The smallest TTL of an `ok` answer's records, in seconds. */
  readonly ttl?: number;
  /** The resolver's error code of anything but `ok` (ENOTFOUND, ESERVFAIL, ETIMEOUT, …). */
  readonly code?: string;
}

export function isFailure(outcome: QueryOutcome): boolean {
  return outcome !== 'ok' && outcome !== 'no-data';
}

const OUTCOME_OF_CODE: Readonly<Record<string, QueryOutcome>> = {
  ENODATA: 'no-data',
  ENOTFOUND: 'nxdomain',
  ESERVFAIL: 'servfail',
  ETIMEOUT: 'timeout',
  EREFUSED: 'refused',
  ECONNREFUSED: 'unreachable',
};

export async function query(client: DnsClient, type: RecordType, name: string): Promise<QueryResult> {
  try {
    const records = await (type === 'A' ? client.resolve4(name, { ttl: true }) : client.resolve6(name, { ttl: true }));
    if (records.length === 0) return { type, outcome: 'no-data', addresses: [] };
    let ttl = records[0]!.ttl;
    for (const record of records) ttl = Math.min(ttl, record.ttl);
    return { type, outcome: 'ok', addresses: records.map((r) => r.address), ttl };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    return { type, outcome: OUTCOME_OF_CODE[code] ?? 'error', addresses: [], code };
  }
}

export interface DnsClientOptions {
  /** Servers in setServers form (parseDnsServers); empty: the system's, from /etc/resolv.conf. */
  readonly servers: readonly string[];
  /** Per try; c-ares tries each server twice. */
  readonly timeoutMs: number;
}

export function createDnsClient(options: DnsClientOptions): DnsClient {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 2 });
  if (options.servers.length > 0) resolver.setServers([...options.servers]);
  return resolver;
}
