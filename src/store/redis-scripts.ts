/**
 * sipwarden's Lua scripts, from the .lua files beside this module (each names
 * its KEYS and ARGV in its header), and one typed call per script that builds
 * those from named arguments. Each script runs atomically, on the one slot a
 * tenant's keys share.
 *
 * createRedisClient defines the scripts on every client it makes (ioredis
 * defineCommand, through its `scripts` option): a connection sends a script's
 * text once, then only its SHA-1 (EVALSHA), and sends the text again when
 * Redis answers NOSCRIPT (a restart, SCRIPT FLUSH, a failover).
 *
 * The files are read when this module loads, so a build that lacks them
 * fails at start, not at the first write; `npm run build` copies them to dist.
 */
import { readFileSync } from 'node:fs';
import type { ListKeys } from './keys.js';
import type { RedisClient } from './redis-connection.js';

function lua(file: string): string {
  return readFileSync(new URL(`./scripts/${file}`, import.meta.url), 'utf8');
}

/** A script file with the library files it names put in front, as Redis runs it. */
function script(file: string, uses: readonly string[]): string {
  return [...uses, file].map(lua).join('\n');
}

/**
 * Every script, by the command name ioredis defines for it. numberOfKeys is
 * left out where the number varies: the call passes it first.
 */
export const REDIS_SCRIPTS = {
  sipwardenFingerprints: { lua: script('fingerprints.lua', ['list-fingerprint.lua']) },
  sipwardenCommit: { lua: script('commit.lua', ['list-fingerprint.lua']), numberOfKeys: 7 },
  sipwardenRecordDenied: { lua: script('record-denied.lua', []), numberOfKeys: 2 },
  sipwardenBan: { lua: script('ban.lua', []), numberOfKeys: 3 },
  sipwardenUnban: { lua: script('unban.lua', []), numberOfKeys: 3 },
} as const satisfies Record<string, { readonly lua: string; readonly numberOfKeys?: number }>;

type ScriptArg = string | number | readonly (string | number)[];
type ScriptCommands = Record<keyof typeof REDIS_SCRIPTS, (...args: ScriptArg[]) => Promise<unknown>>;

function commands(client: RedisClient): ScriptCommands {
  const defined = client as unknown as Partial<ScriptCommands>;
  if (Object.keys(REDIS_SCRIPTS).some((name) => typeof defined[name as keyof ScriptCommands] !== 'function')) {
    throw new Error("this Redis client has no sipwarden scripts defined: make it with createRedisClient");
  }
  return defined as ScriptCommands;
}

/** The four keys of a list, in the order the scripts take them. */
function listKeys(list: ListKeys): string[] {
  return [list.cidrs, list.enabled, list.rev, list.entries, list.countries, list['countries:enabled']];
}

export interface FingerprintsArgs {
  /** Under Redis Cluster all of one tenant (one slot). */
  readonly lists: readonly ListKeys[];
}

/** fingerprints.lua: each list's fingerprint (see fingerprintOf), in the order given. */
export async function fingerprintsOf(client: RedisClient, { lists }: FingerprintsArgs): Promise<string[]> {
  if (lists.length === 0) return [];
  // One array argument, which ioredis flattens: a spread of 40,000 keys would be as many call arguments.
  return (await commands(client).sipwardenFingerprints(lists.length * 6, lists.flatMap(listKeys))) as string[];
}

export type EntryChanges =
  /** The metadata hash from scratch: every field, value pair. */
  | { readonly mode: 'replace'; readonly set: readonly (readonly [string, string])[] }
  /** Only what changed from the list the write was made from. */
  | { readonly mode: 'patch'; readonly deleted: readonly string[]; readonly set: readonly (readonly [string, string])[] };

export interface CommitArgs {
  readonly list: ListKeys;
  /** The tenant's audit log key. */
  readonly auditKey: string;
  /** The fingerprint the list must still have; undefined writes unconditionally. */
  readonly expectedFingerprint: string | undefined;
  readonly cidrs: string;
  readonly enabled: string;
  readonly entries: EntryChanges;
  /** The country set (`DE,FR`) and its toggle (`1`/`0`) to store; undefined leaves them as they are. */
  readonly countries?: { readonly codes: string; readonly enabled: string };
  /** The change notification: published on `channel` with the new revision. */
  readonly channel: string;
  readonly tenant: string;
  readonly scope: string;
  /** The audit record (an object with fields), written as sent with `rev` put in front by the script; undefined records nothing. */
  readonly auditRecord: object | undefined;
  readonly auditLength: number;
}

export type CommitResult = { readonly written: true; readonly rev: number } | { readonly written: false; readonly fingerprint: string };

/** commit.lua: the whole write of one list, or nothing when the list is no longer at `expectedFingerprint`. */
export async function commitList(client: RedisClient, args: CommitArgs): Promise<CommitResult> {
  const { entries } = args;
  const deleted = entries.mode === 'patch' ? entries.deleted : [];
  // Built as one array (never spread into a call): a 100,000-entry list is 200,000 values.
  const argv = [
    args.expectedFingerprint ?? '',
    args.cidrs,
    args.enabled,
    args.channel,
    args.tenant,
    args.scope,
    args.auditRecord === undefined ? '' : JSON.stringify(args.auditRecord),
    String(args.auditLength),
    entries.mode,
    args.countries === undefined ? 'keep' : 'set',
    args.countries?.codes ?? '',
    args.countries?.enabled ?? '',
    String(deleted.length),
    ...deleted,
    ...entries.set.flat(),
  ];
  const [written, detail] = (await commands(client).sipwardenCommit([...listKeys(args.list).slice(0, 4), args.auditKey, args.list.countries, args.list['countries:enabled']], argv)) as [number, number | string];
  return written === 1 ? { written: true, rev: detail as number } : { written: false, fingerprint: detail as string };
}

export interface RecordDeniedArgs {
  readonly keys: { readonly sources: string; readonly seen: string };
  /** One JSON row a source, with its hash field as `field`. */
  readonly rows: readonly string[];
  readonly maxSources: number;
  readonly ttlSeconds: number;
}

/** record-denied.lua: adds the rows into the tenant's record; resolves to how many sources it holds. */
export async function recordDenied(client: RedisClient, args: RecordDeniedArgs): Promise<number> {
  return (await commands(client).sipwardenRecordDenied(args.keys.sources, args.keys.seen, [String(args.maxSources), String(args.ttlSeconds), ...args.rows])) as number;
}

/** The three keys of the ban list: the set of addresses, the expiries, the descriptions. */
export interface BanKeys {
  readonly set: string;
  readonly until: string;
  readonly info: string;
}

/** ban.lua: bans `address` until `until` (ms); true for a new ban. */
export async function banAddress(client: RedisClient, keys: BanKeys, address: string, until: number, info: object): Promise<boolean> {
  return ((await commands(client).sipwardenBan(keys.set, keys.until, keys.info, [address, String(until), JSON.stringify(info)])) as number) === 1;
}

/** unban.lua: lifts the bans of `addresses` and every ban expired by `now`; resolves to the addresses lifted. */
export async function unbanAddresses(client: RedisClient, keys: BanKeys, now: number, addresses: readonly string[] = []): Promise<string[]> {
  return (await commands(client).sipwardenUnban(keys.set, keys.until, keys.info, [String(now), ...addresses])) as string[];
}
