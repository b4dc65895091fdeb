/**
 * A list exported as a file:
 * - `csv`: the values comma-separated, the form `PUT …/list` takes back;
 * - `lines`: one entry a line, value then description, the form
 *   `POST …/entries:import` takes back (a comma in a description reads
 *   as a separator there);
 * - `json`: every entry with its state and metadata.
 */
import type { ListState } from '../../store/list-state.js';
import type { Reply } from './reply.js';

export const EXPORT_FORMATS = ['csv', 'lines', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const EXTENSION: Readonly<Record<ExportFormat, string>> = { csv: 'csv', lines: 'txt', json: 'json' };

export function exportReply(list: ListState, format: ExportFormat): Reply {
  // Tenant names are [A-Za-z0-9._@-]: safe inside the quoted filename.
  const headers = { 'content-disposition': `attachment; filename="${list.tenant}-${list.scope}.${EXTENSION[format]}"` };
  const { tenant, scope, enabled, entries } = list;
  switch (format) {
    case 'json':
      return { status: 200, headers, json: { tenant, scope, enabled, entries } };
    case 'csv':
      return { status: 200, headers, text: `${entries.map((e) => e.value).join(',')}\n` };
    case 'lines':
      return { status: 200, headers, text: entries.map((e) => (e.description ? `${e.value} ${e.description}\n` : `${e.value}\n`)).join('') };
  }
}
