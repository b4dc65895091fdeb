/**
 * `sipwarden add | edit | delete`: one entry at a time.
 */
import { type Command, Option } from 'commander';
import type { ListId } from '../../../store/keys.js';
import type { ListEntry } from '../../../store/list-state.js';
import type { AdminResult, EntryWritten } from '../../list-admin.js';
import { ExitCode } from '../exit-codes.js';
import { type ActorOptions, type ListOptions, actorOf, listChange, listIdOf } from '../options.js';
import { type Output, badUsage } from '../output.js';
import { run } from '../session.js';

interface ChangeOptions extends ListOptions, ActorOptions {}

interface AddOptions extends ChangeOptions {
  readonly description?: string;
  readonly inactive?: boolean;
}

interface EditOptions extends AddOptions {
  readonly active?: boolean;
}

const describeEntry = (e: ListEntry) => `${e.active ? 'active' : 'inactive'}${e.description ? `, ${JSON.stringify(e.description)}` : ''}`;

/** Reports a change to one entry, showing it as stored afterwards. */
function reportEntry(out: Output, id: ListId, result: AdminResult<EntryWritten>, verb: string, preposition: string): ExitCode {
  if (!result.ok) return out.refused(result.failure);
  const { value, entry } = result.value;
  const json = { tenant: id.tenant, scope: id.scope, rev: result.value.rev, value, ...(entry && { entry }) };
  return out.result(json, () => `${verb} ${value} ${preposition} ${id.tenant}/${id.scope}${entry ? ` (${describeEntry(entry)})` : ''}; rev ${result.value.rev}`);
}

export function registerEntryCommands(program: Command): void {
  listChange(program, 'add <cidr>', 'add an entry: an IP address, a CIDR block or a DNS name (agent7.dyn.example.net: allows the addresses it resolves to)')
    .option('-d, --description <text>', 'what the entry is for (an office, a carrier, a VPN)')
    .option('--inactive', 'add it switched off: listed, not enforced')
    .action((cidr: string, options: AddOptions) =>
      run(options, async ({ admin }, out) => {
        const id = listIdOf(options);
        const input = { value: cidr, active: !options.inactive, ...(options.description !== undefined && { description: options.description }) };
        return reportEntry(out, id, await admin.addEntry(actorOf(options), id, input), 'added', 'to');
      }),
    );

  listChange(program, 'edit <cidr>', "change an entry's description or state")
    .option('-d, --description <text>', 'the new description ("" removes it)')
    .addOption(new Option('--active', 'enforce the entry').conflicts('inactive'))
    .option('--inactive', 'keep the entry listed but stop enforcing it')
    .action((cidr: string, options: EditOptions, command: Command) => {
      const active = options.active ? true : options.inactive ? false : undefined;
      if (active === undefined && options.description === undefined) {
        badUsage(command, 'nothing to change: give --description, --active or --inactive');
      }
      return run(options, async ({ admin }, out) => {
        const id = listIdOf(options);
        const patch = { ...(active !== undefined && { active }), ...(options.description !== undefined && { description: options.description }) };
        return reportEntry(out, id, await admin.editEntry(actorOf(options), id, cidr, patch), 'updated', 'in');
      });
    });

  listChange(program, 'delete <cidr>', 'delete an entry')
    .alias('rm')
    .action((cidr: string, options: ChangeOptions) =>
      run(options, async ({ admin }, out) => {
        const id = listIdOf(options);
        return reportEntry(out, id, await admin.deleteEntry(actorOf(options), id, cidr), 'deleted', 'from');
      }),
    );
}
