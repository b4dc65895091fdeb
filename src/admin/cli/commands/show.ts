/**
 * `sipwarden show`: a tenant's lists, or one of them, with every entry.
 */
import type { Command } from 'commander';
import { SCOPES, type Scope } from '../../../policy/index.js';
import { isEmptyFilter } from '../../entry-filter.js';
import { ExitCode } from '../exit-codes.js';
import { describeList, listJson } from '../list-view.js';
import { type FilterOptions, type JsonOptions, filterOf, withFilter, withList } from '../options.js';
import { run } from '../session.js';

interface ShowOptions extends JsonOptions, FilterOptions {
  readonly tenant: string;
  readonly scope?: Scope;
}

export function registerShow(program: Command): void {
  const command = program
    .command('show')
    .description(
      "show a tenant's lists: enabled or not, the enforced string, and every entry with its state, description, times and authors; " +
        'each DNS name with the addresses it resolves to now, when it was last resolved and its state',
    )
    .addHelpText(
      'after',
      '\nWith --json: the list as an object with --scope, else an array of every scope\'s list; a name entry carries ' +
        'resolution: {state, addresses, resolvedAt, failure}. Names are resolved once, with SIPWARDEN_DNS_SERVERS ' +
        '(default: the system\'s resolver); DNS failing shows the name as failed, it does not fail the command.',
    );
  withFilter(withList(command, 'every scope')).action((options: ShowOptions) =>
    run(options, async ({ admin }, out) => {
      const filter = filterOf(options);
      const scopes = options.scope === undefined ? SCOPES : [options.scope];
      const shown = await Promise.all(scopes.map((scope) => admin.show({ tenant: options.tenant, scope }, filter)));
      const failed = shown.flatMap((s) => (s.ok ? [] : [s.failure]));
      const lists = shown.flatMap((s) => (s.ok ? [s.value] : []));
      // One JSON document on stdout, so scripts get the lists or the error; people get the readable lists and the error.
      if (failed.length > 0 && (lists.length === 0 || out.json)) return out.refused(failed[0]!);
      const json = lists.map(listJson);
      out.result(options.scope === undefined ? json : json[0], () => lists.map((state) => describeList(state, !isEmptyFilter(filter))).join('\n\n'));
      for (const failure of failed) out.refused(failure);
      return failed.length > 0 ? ExitCode.refused : ExitCode.ok;
    }),
  );
}
