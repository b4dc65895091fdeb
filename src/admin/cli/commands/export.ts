/**
 * `sipwarden export`: a list for other tools: the enforced entries
 * comma-separated (the form `replace` takes back), one per line, or the whole
 * list with metadata as JSON.
 */
import { type Command, Option } from 'commander';
import { listJson } from '../list-view.js';
import { type ListOptions, listIdOf, withList } from '../options.js';
import { run } from '../session.js';

const FORMATS = ['csv', 'lines', 'json'] as const;

interface ExportOptions extends ListOptions {
  readonly format: (typeof FORMATS)[number];
}

export function registerExport(program: Command): void {
  const command = program
    .command('export')
    .description('print a list: the active entries comma-separated or one per line, or everything as JSON')
    .addOption(new Option('--format <format>', 'csv: comma-separated; lines: one per line; json: every entry with its metadata').choices(FORMATS).default('csv'));
  withList(command).action((options: ExportOptions) =>
    run({ json: options.json === true || options.format === 'json' }, async ({ admin }, out) => {
      const shown = await admin.show(listIdOf(options));
      if (!shown.ok) return out.refused(shown.failure);
      const state = shown.value;
      const active = state.entries.filter((e) => e.active).map((e) => e.value);
      return out.result(listJson(state), () => active.join(options.format === 'csv' ? ',' : '\n'));
    }),
  );
}
