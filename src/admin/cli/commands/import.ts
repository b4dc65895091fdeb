/**
 * `sipwarden import`: mass insert from a file or stdin, validated as a whole.
 */
import type { Command } from 'commander';
import type { AdminFailure, InvalidItem } from '../../admin-result.js';
import { type ImportedEntry, parseImport } from '../../entry-import.js';
import { importedFromExport } from '../../list-export.js';
import type { AdminStore } from '../../open-admin.js';
import type { ExitCode } from '../exit-codes.js';
import { STDIN, readInput, waitsForTyping } from '../input.js';
import { type ActorOptions, type ListOptions, actorOf, listChange, listIdOf } from '../options.js';
import { type Output, badUsage, describeItem } from '../output.js';
import { Progress, megabytes } from '../progress.js';
import { run } from '../session.js';

interface ImportOptions extends ListOptions, ActorOptions {
  readonly inactive?: boolean;
  readonly skipInvalid?: boolean;
}

const FORMAT = `
Input: one entry per line, or several separated by commas; each entry is an
address, CIDR block or DNS name, optionally followed by a description. Blank lines and
lines starting with # are skipped. An entry already listed takes the new
description and state.

  203.0.113.0/24   Head office
  198.51.100.7 VPN gateway, 198.51.100.8 VPN gateway 2

Or a list as \`sipwarden export --format json\` writes it (input starting with {):
each entry is written with its own state and description; --inactive is the
state of entries that name none.

Every invalid line is reported with its line number and nothing is written,
unless --skip-invalid. On a terminal, progress shows on stderr.`;

/** The entries of an input: a json export when it starts with `{` (no entry does), else the mass-insert format. */
function entriesOf(text: string, active: boolean, name: string): { entries: ImportedEntry[]; unreadable: InvalidItem[] } | AdminFailure {
  if (!text.trimStart().startsWith('{')) return { entries: parseImport(text, active), unreadable: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', message: `${name} starts with { but is not valid JSON: ${(err as Error).message}` };
  }
  const read = importedFromExport(value, active);
  return typeof read === 'string' ? { kind: 'invalid', message: `${name}: ${read}` } : read;
}

/** Reads, validates and writes the entries, showing each step on a terminal. */
async function importEntries(source: string, options: ImportOptions, { admin }: AdminStore, out: Output): Promise<ExitCode> {
  const id = listIdOf(options);
  const name = source === STDIN ? 'stdin' : source;
  const progress = new Progress();
  const input = await readInput(source, (bytes) => progress.show(`reading ${name}: ${megabytes(bytes)}`));
  const read = input.ok ? entriesOf(input.text, !options.inactive, name) : input.failure;
  const { entries, unreadable } = 'kind' in read ? { entries: [], unreadable: [] } : read;
  const result =
    entries.length + unreadable.length > 0
      ? await progress.during(
          `validating and writing ${entries.length.toLocaleString('en-US')} entries to ${id.tenant}/${id.scope}…`,
          admin.importEntries(actorOf(options), id, entries, options.skipInvalid === true, unreadable),
        )
      : undefined;
  progress.clear();
  if ('kind' in read) return out.refused(read);
  if (result === undefined) return out.refused({ kind: 'invalid', message: `no entries in ${name}` }, 'give one address, CIDR block or DNS name per line');
  if (!result.ok) return out.refused(result.failure, 'fix those lines, or add --skip-invalid to import the rest');
  const { rev, imported, skipped, entries: now } = result.value;
  if (skipped.length > 0) {
    const noun = skipped[0]!.line !== undefined ? ['line', 'lines'] : ['entry', 'entries'];
    out.note(`skipped ${skipped.length} invalid ${noun[skipped.length === 1 ? 0 : 1]}:\n${skipped.map(describeItem).join('\n')}`);
  }
  const json = { tenant: id.tenant, scope: id.scope, rev, imported, skipped, entries: now.length };
  return out.result(json, () => `imported ${imported} entries into ${id.tenant}/${id.scope}, which now has ${now.length}; rev ${rev}`);
}

export function registerImport(program: Command): void {
  listChange(program, 'import [file]', 'add many entries at once from a file, or stdin (no file, or -)')
    .option('--inactive', 'add the entries switched off')
    .option('--skip-invalid', 'import the valid entries and report the invalid lines skipped')
    .addHelpText('after', FORMAT)
    .action((file: string | undefined, options: ImportOptions, self: Command) => {
      const source = file ?? STDIN;
      if (waitsForTyping(source)) badUsage(self, 'no input: give a file, or pipe the entries in (sipwarden import < list.txt)');
      return run(options, (store, out) => importEntries(source, options, store, out));
    });
}
