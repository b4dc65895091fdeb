/**
 * The options several commands share, each added only where it means
 * something (so every command's --help lists exactly what it takes), and
 * their typed readers.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { SCOPES, type Scope, isIpAddress } from '../../policy/index.js';
import { DEFAULT_TENANT, type ListId, isValidTenant } from '../../store/keys.js';
import type { EntryFilter, EntryStateFilter } from '../entry-filter.js';
import type { Actor } from '../list-admin.js';

export interface JsonOptions {
  readonly json?: boolean;
}

export interface ListOptions extends JsonOptions {
  readonly tenant: string;
  readonly scope: Scope;
}

export interface ActorOptions {
  readonly actor: string;
  readonly myIp?: string;
  readonly force?: boolean;
}

export interface FilterOptions {
  readonly value?: string;
  readonly state?: EntryStateFilter;
  readonly description?: string;
  readonly search?: string;
}

export function tenantName(text: string): string {
  if (!isValidTenant(text)) throw new InvalidArgumentError('a tenant is letters, digits and . _ @ - (a SIP domain or an account id).');
  return text;
}

function ipAddress(text: string): string {
  if (!isIpAddress(text)) throw new InvalidArgumentError('give your own IPv4 or IPv6 address, e.g. 203.0.113.5.');
  return text;
}

export function positiveInteger(max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > max) throw new InvalidArgumentError(`a whole number from 1 to ${max}.`);
    return n;
  };
}

export function withJson(command: Command): Command {
  return command.option('--json', 'print JSON for scripts instead of a table');
}

const tenantOption = () => new Option('-t, --tenant <tenant>', 'the tenant (customer account)').default(DEFAULT_TENANT).argParser(tenantName);

/** --tenant and --json. */
export function withTenant(command: Command): Command {
  return withJson(command.addOption(tenantOption()));
}

/** --tenant, --scope (default sip; `noScope` says what leaving it out means instead) and --json. */
export function withList(command: Command, noScope?: string): Command {
  const scope = new Option('-s, --scope <scope>', `the list: which kind of access it guards${noScope ? ` (default: ${noScope})` : ''}`).choices(SCOPES);
  return withJson(command.addOption(tenantOption()).addOption(noScope === undefined ? scope.default('sip') : scope));
}

export function actorOption(): Option {
  return new Option('--actor <name>', 'who makes the change, for the audit log').default(process.env.USER?.trim() || 'cli', '$USER, or "cli"');
}

/** A command that changes one list: --tenant, --scope, --json, and who makes the change. */
export function listChange(program: Command, usage: string, description: string): Command {
  return withActor(withList(program.command(usage).description(description)));
}

/** Who makes the change, and the lockout guard's inputs. */
export function withActor(command: Command): Command {
  return command
    .addOption(actorOption())
    .addOption(
      new Option('--my-ip <address>', 'your own address: a change that would deny it is refused (default: the client address in $SSH_CLIENT)').argParser(ipAddress),
    )
    .option('--force', 'make a change even though it denies your own address');
}

export function withFilter(command: Command): Command {
  return command
    .option('--value <text>', 'entries whose value contains this text (192.0.2, /24, 2001:db8)')
    .addOption(new Option('--state <state>', 'entries in this state').choices(['active', 'inactive']))
    .option('--description <text>', 'entries whose description contains this text')
    .option('--search <text>', 'quick search: text in the value, the description or the state');
}

export function listIdOf(options: ListOptions): ListId {
  return { tenant: options.tenant, scope: options.scope };
}

/** The actor; without --my-ip, the address this SSH session comes from. */
export function actorOf(options: ActorOptions): Actor {
  const fromSsh = process.env.SSH_CLIENT?.trim().split(/\s+/)[0];
  const address = options.myIp ?? (fromSsh && isIpAddress(fromSsh) ? fromSsh : undefined);
  return { name: options.actor, ...(address !== undefined && { address }), ...(options.force && { force: true }) };
}

export function filterOf(options: FilterOptions): EntryFilter {
  return {
    ...(options.value !== undefined && { value: options.value }),
    ...(options.state !== undefined && { state: options.state }),
    ...(options.description !== undefined && { description: options.description }),
    ...(options.search !== undefined && { q: options.search }),
  };
}
