/**
 * `sipwarden replace`: a whole list in one atomic push, or a dry run that
 * shows what the push would change.
 */
import type { Command } from 'commander';
import type { ReplaceDiff } from '../../list-admin.js';
import type { AdminStore } from '../../open-admin.js';
import type { ExitCode } from '../exit-codes.js';
import { STDIN, readInput, waitsForTyping } from '../input.js';
import { type ActorOptions, type ListOptions, actorOf, listChange, listIdOf } from '../options.js';
import { type Output, badUsage } from '../output.js';
import { run } from '../session.js';

interface ReplaceOptions extends ListOptions, ActorOptions {
  readonly file?: string;
  readonly dryRun?: boolean;
}

const NOTES = `
The list is comma-separated, as Redis keeps it: "203.0.113.0/24, 198.51.100.7".
Entries that stay keep their descriptions; inactive entries not named stay
listed and inactive; a named inactive entry becomes active. The push is
atomic: every edge switches from the old list to the new one.

  sipwarden replace '203.0.113.0/24,198.51.100.7' --tenant acme --dry-run
  sipwarden export --tenant acme > list.csv; sipwarden replace --file list.csv --tenant acme`;

function diffLines(diff: ReplaceDiff, withUnchanged: boolean): string[] {
  return [
    ...diff.added.map((v) => `+ ${v}`),
    ...diff.removed.map((v) => `- ${v}`),
    ...(withUnchanged ? diff.unchanged.map((v) => `  ${v}`) : []),
  ];
}

const counts = (diff: ReplaceDiff) => `${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged.length} unchanged`;

/** Pushes `text`, or with --dry-run only reports what it would change. */
async function replaceWith(text: string, options: ReplaceOptions, { admin }: AdminStore, out: Output): Promise<ExitCode> {
  const id = listIdOf(options);
  const dryRun = options.dryRun === true;
  const result = await admin.replace(actorOf(options), id, text, dryRun);
  if (!result.ok) return out.refused(result.failure);
  const diff = result.value;
  return out.result({ tenant: id.tenant, scope: id.scope, dryRun, ...diff }, () => {
    const head = dryRun
      ? `dry run, nothing written: ${id.tenant}/${id.scope} would get ${counts(diff)}`
      : `replaced ${id.tenant}/${id.scope}: ${counts(diff)}; rev ${diff.rev}`;
    return [head, ...diffLines(diff, dryRun)].join('\n');
  });
}

export function registerReplace(program: Command): void {
  listChange(program, 'replace [cidr-list]', 'make a comma-separated list (addresses, CIDR blocks, DNS names) the whole active list, in one atomic push (- reads it from stdin)')
    .option('-f, --file <path>', 'read the list from a file (- for stdin)')
    .option('--dry-run', 'print what would change (added, removed, unchanged) and write nothing')
    .addHelpText('after', NOTES)
    .action((list: string | undefined, options: ReplaceOptions, self: Command) => {
      if (list !== undefined && options.file !== undefined) badUsage(self, 'give the list or --file, not both');
      const source = list === STDIN ? STDIN : options.file;
      if (list === undefined && source === undefined) badUsage(self, 'give the list ("203.0.113.0/24,198.51.100.7"), --file <path>, or - to read stdin');
      if (source !== undefined && waitsForTyping(source)) badUsage(self, 'no input on stdin: pipe the list in');
      return run(options, async (store, out) => {
        if (source === undefined) return replaceWith(list ?? '', options, store, out);
        const input = await readInput(source);
        return input.ok ? replaceWith(input.text, options, store, out) : out.refused(input.failure);
      });
    });
}
