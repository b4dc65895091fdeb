/**
 * `sipwarden bans` and `sipwarden unban <ip>`: the sources auto-ban put on
 * the ban list (issue 14), and lifting one by hand.
 */
import type { Command } from 'commander';
import { notAnAddress, shownBan } from '../../ban-admin.js';
import type { JsonOptions } from '../options.js';
import { badUsage } from '../output.js';
import { run } from '../session.js';
import { shortTime, table } from '../table.js';

export function registerBans(program: Command): void {
  program
    .command('bans')
    .description("show the banned sources (403 before any check, or dropped by the kernel ban sink): until when, why, by which edge")
    .option('--json', 'print JSON for scripts instead of a table')
    .action((options: JsonOptions) =>
      run(options, async ({ bans }, out) => {
        const listed = await bans.list();
        const json = listed.map(shownBan);
        return out.result(json, () => {
          if (listed.length === 0) return 'no banned sources';
          const rows = json.map((b) => [b.address, b.until === undefined ? 'until removed' : shortTime(b.until), b.reason ?? '(added by hand)', b.tenant === undefined ? '' : `${b.tenant}/${b.scope}`, b.by ?? '']);
          return table(['address', 'until', 'why', 'denied in', 'by'], rows);
        });
      }),
    );

  const unban = program.command('unban <ip>').description('lift the ban of a source now (every edge, and its kernel ban sink, lets it through again at its next sweep)').option('--json', 'print JSON for scripts instead of a table');
  unban.action((ip: string, options: JsonOptions) => {
    const problem = notAnAddress(ip);
    if (problem !== undefined) badUsage(unban, problem);
    return run(options, async ({ bans }, out) => {
      const lifted = await bans.unban(ip);
      if (!lifted.ok) return out.refused(lifted.failure);
      const { address } = lifted.value;
      return out.result({ address, lifted: true }, () => `${address} unbanned`);
    });
  });
}
