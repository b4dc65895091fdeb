/**
 * `sipwarden bulk enable|disable|delete`: many entries at once, chosen by
 * value, by filter, or all of them.
 */
import { Argument, type Command } from 'commander';
import { isEmptyFilter } from '../../entry-filter.js';
import type { BulkAction, EntrySelector } from '../../list-admin.js';
import { type ActorOptions, type FilterOptions, type ListOptions, actorOf, filterOf, listChange, listIdOf, withFilter } from '../options.js';
import { badUsage } from '../output.js';
import { run } from '../session.js';

interface BulkOptions extends ListOptions, ActorOptions, FilterOptions {
  readonly values?: string;
  readonly all?: boolean;
}

const ACTIONS: readonly BulkAction[] = ['enable', 'disable', 'delete'];

/** The entries chosen, in exactly one way; anything else is a usage error. */
function selectorOf(options: BulkOptions, command: Command): EntrySelector {
  const filter = filterOf(options);
  const values = options.values?.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const ways = [values !== undefined, !isEmptyFilter(filter), options.all === true].filter(Boolean).length;
  if (ways !== 1 || values?.length === 0) {
    const problem = ways > 1 ? 'choose the entries one way only' : 'choose the entries';
    badUsage(command, `${problem}: --values a,b,c, a filter (--value, --state, --description, --search), or --all`);
  }
  if (values !== undefined) return { values };
  return options.all ? { all: true } : { filter };
}

export function registerBulk(program: Command): void {
  const command = listChange(program, 'bulk', 'enable, disable or delete many entries: by value, by filter, or all')
    .addArgument(new Argument('<action>', 'what to do to the entries').choices(ACTIONS))
    .option('--values <list>', 'the entries, comma-separated')
    .option('--all', 'every entry of the list')
    .addHelpText('after', '\n  sipwarden bulk disable --description contractor\n  sipwarden bulk delete --values 192.0.2.7,192.0.2.8');
  withFilter(command).action((action: BulkAction, options: BulkOptions, self: Command) => {
    const selector = selectorOf(options, self);
    return run(options, async ({ admin }, out) => {
      const id = listIdOf(options);
      const result = await admin.bulk(actorOf(options), id, selector, action);
      if (!result.ok) return out.refused(result.failure);
      const { affected, rev } = result.value;
      return out.result({ tenant: id.tenant, scope: id.scope, action, affected, rev }, () => {
        return `${action}d ${affected} ${affected === 1 ? 'entry' : 'entries'} in ${id.tenant}/${id.scope}; rev ${rev}`;
      });
    });
  });
}
