/**
 * `sipwarden export`: a list as a file, the same as the API's export
 * (list-export.ts): the active values comma-separated (what `replace` takes
 * back) or one a line, or every entry with its state and description as JSON
 * (what `import` takes back).
 */
import { type Command, Option } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../../list-export.js';
import { ExitCode } from '../exit-codes.js';
import { type FilterOptions, type ListOptions, filterOf, listIdOf, withFilter, withList } from '../options.js';
import { run } from '../session.js';

interface ExportOptions extends ListOptions, FilterOptions {
  readonly format: ExportFormat;
}

const NOTES = `
csv and lines hold the active entries' values only. json holds every entry,
active and inactive, with its description: \`sipwarden import\` writes it back
with each entry's own state, so export then import into an empty list gives
the same list.

  sipwarden export --tenant acme > list.csv; sipwarden replace --file list.csv --tenant acme
  sipwarden export --tenant acme --format json > acme.json; sipwarden import acme.json --tenant acme-copy`;

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description('print a list: the active values comma-separated or one per line, or every entry as JSON')
    .addOption(
      new Option('--format <format>', 'csv: active values comma-separated; lines: one per line; json: every entry with state and description (--json too)')
        .choices(EXPORT_FORMATS)
        .default('csv'),
    )
    .addHelpText('after', NOTES);
  withFilter(withList(command)).action((options: ExportOptions) => {
    const format: ExportFormat = options.json === true ? 'json' : options.format;
    return run({ json: format === 'json' }, async ({ admin }, out) => {
      const exported = await admin.export(listIdOf(options), format, filterOf(options));
      if (!exported.ok) return out.refused(exported.failure);
      if (exported.value.format === 'json') return out.result(exported.value.list, () => '');
      process.stdout.write(exported.value.text);
      return ExitCode.ok;
    });
  });
}
