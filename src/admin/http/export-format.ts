/**
 * A list exported as a file:
 * - `csv`: the values comma-separated, the form `PUT …/list` takes back;
 * - `lines`: one entry a line, value then description, the form
 *   `POST …/entries:import` takes back (a comma in a description reads
 *   as a separator there);
 * - `json`: every entry with its state and metadata.
 */
import type { FastifyReply } from 'fastify';
import type { ListState } from '../../store/list-state.js';
import type { Static } from 'typebox';
import type { EXPORT_FORMATS, ExportedList } from './schemas.js';

export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const EXTENSION: Readonly<Record<ExportFormat, string>> = { csv: 'csv', lines: 'txt', json: 'json' };

/** The export as the reply's payload, with its headers set. */
export function exportReply(reply: FastifyReply, list: ListState, format: ExportFormat): string | Static<typeof ExportedList> {
  // Tenant names are [A-Za-z0-9._@-]: safe inside the quoted filename.
  reply.header('content-disposition', `attachment; filename="${list.tenant}-${list.scope}.${EXTENSION[format]}"`);
  const { tenant, scope, enabled, entries } = list;
  switch (format) {
    case 'json':
      return { tenant, scope, enabled, entries };
    case 'csv':
      reply.type('text/plain; charset=utf-8');
      return `${entries.map((e) => e.value).join(',')}\n`;
    case 'lines':
      reply.type('text/plain; charset=utf-8');
      return entries.map((e) => (e.description ? `${e.value} ${e.description}\n` : `${e.value}\n`)).join('');
  }
}
