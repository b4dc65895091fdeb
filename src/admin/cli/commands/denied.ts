/**
 * `sipwarden denied` and `sipwarden allow-denied <ip>`: who the edges refused
 * for a tenant, and adding one of them to its list in one step (issue 14).
 */
import { type Command, Option } from 'commander';
import { SCOPES, type Scope } from '../../../policy/index.js';
import type { DeniedOrder, DeniedSource } from '../../../store/denied-log.js';
import { type ActorOptions, type JsonOptions, actorOf, positiveInteger, withActor, withTenant } from '../options.js';
import { run } from '../session.js';
import { shortTime, table } from '../table.js';

interface DeniedOptions extends JsonOptions {
  readonly tenant: string;
  readonly scope?: Scope;
  readonly by: DeniedOrder;
  readonly limit: number;
}

interface AllowOptions extends JsonOptions, ActorOptions {
  readonly tenant: string;
  readonly scope?: Scope;
  readonly description?: string;
}

const scopeOption = (what: string) => new Option('-s, --scope <scope>', what).choices(SCOPES);
const iso = (ms: number) => new Date(ms).toISOString();
const json = ({ tenant: _tenant, firstSeen, lastSeen, ...source }: DeniedSource) => ({ ...source, firstSeen: iso(firstSeen), lastSeen: iso(lastSeen) });

export function registerDenied(program: Command): void {
  const denied = program
    .command('denied')
    .description('show the sources the edges denied for a tenant: how often, first and last, the last method, transport, User-Agent and domain')
    .addOption(scopeOption('only this scope'))
    .addOption(new Option('--by <order>', 'recent: last denied first; busiest: most denials first').choices(['recent', 'busiest']).default('recent'))
    .option('-n, --limit <count>', 'how many sources', positiveInteger(100_000), 20)
    .addHelpText('after', '\nCounts are added up from every edge each SIPWARDEN_DENIED_FLUSH_MS; a tenant keeps its newest SIPWARDEN_DENIED_MAX_PER_TENANT sources for SIPWARDEN_DENIED_TTL_S.');
  withTenant(denied).action((options: DeniedOptions) =>
    run(options, async (store, out) => {
      const sources = await store.denied.list(options.tenant, { ...(options.scope !== undefined && { scope: options.scope }), order: options.by, limit: options.limit });
      return out.result(sources.map(json), () => {
        if (sources.length === 0) return `no denied sources recorded for ${options.tenant}`;
        const rows = sources.map((s) => [s.address, s.scope, String(s.count), shortTime(iso(s.firstSeen)), shortTime(iso(s.lastSeen)), `${s.method} ${s.transport}`, s.userAgent ?? '', s.domain ?? '']);
        return table(['address', 'scope', 'denials', 'first', 'last', 'last request', 'user agent', 'domain'], rows);
      });
    }),
  );

  const allow = program
    .command('allow-denied <ip>')
    .description("add a denied source to its scope's list as an active entry, and drop it from the denied sources")
    .addOption(scopeOption('the list (default: the scope it was denied in, when only one)'))
    .option('-d, --description <text>', 'the entry\'s description (default: how often and when it was denied, its User-Agent)');
  withActor(withTenant(allow)).action((ip: string, options: AllowOptions) =>
    run(options, async (store, out) => {
      const allowed = await store.denied.allow(actorOf(options), options.tenant, ip, {
        ...(options.scope !== undefined && { scope: options.scope }),
        ...(options.description !== undefined && { description: options.description }),
      });
      if (!allowed.ok) return out.refused(allowed.failure);
      const { scope, rev, entry } = allowed.value;
      return out.result({ tenant: options.tenant, scope, rev, entry }, () => `added ${entry!.value} to ${options.tenant}/${scope}${entry!.description ? ` ("${entry!.description}")` : ''}; rev ${rev}`);
    }),
  );
}
