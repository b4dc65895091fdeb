/**
 * A list exported as a file, the same through the CLI and the API (both call
 * ListAdmin.export, which selects the entries with the usual filter):
 *
 * - `csv`: the active entries' values, comma-separated, in enforced order:
 *   the list as it is enforced, and what `replace` (`PUT …/list`) takes back.
 *   Pushed back, it makes the same values the active list again; entries that
 *   stay keep their descriptions and inactive ones stay as they are.
 * - `lines`: the same values one a line: the plain list for other tools
 *   (firewalls, scripts). Imported, each line is an active entry without a
 *   description.
 * - `json`: every entry, active and inactive, with its value, state,
 *   description and stamps: the round-trip form. `import` (`POST
 *   …/entries:import` as application/json) takes it back and writes each
 *   entry with its own value, description and state, so export then import
 *   into an empty list gives the same list; into a list that has entries, the
 *   exported ones take their exported description and state, others stay.
 *
 * Neither text form carries descriptions or inactive entries: a description
 * may hold a comma, which the mass-insert format reads as a separator.
 */
import type { ListEntry, ListState } from '../store/list-state.js';
import { type InvalidItem, shownToken } from './admin-result.js';
import type { ImportedEntry } from './entry-import.js';

export const EXPORT_FORMATS = ['csv', 'lines', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The `json` export. */
export interface ExportedList {
  readonly tenant: string;
  readonly scope: ListState['scope'];
  /** Whether the scope is switched on; for reading: import leaves the switch alone. */
  readonly enabled: boolean;
  readonly entries: readonly ListEntry[];
}

export type Exported =
  | { readonly format: 'json'; readonly list: ExportedList }
  | { readonly format: 'csv' | 'lines'; readonly text: string };

/** The file name's extension and the media type of each format. */
export const EXPORT_FILES: Readonly<Record<ExportFormat, { readonly extension: string; readonly mediaType: string }>> = {
  csv: { extension: 'csv', mediaType: 'text/plain; charset=utf-8' },
  lines: { extension: 'txt', mediaType: 'text/plain; charset=utf-8' },
  json: { extension: 'json', mediaType: 'application/json; charset=utf-8' },
};

/** `state` (its entries already filtered) in `format`. */
export function exportList(state: ListState, format: ExportFormat): Exported {
  const { tenant, scope, enabled, entries } = state;
  if (format === 'json') return { format, list: { tenant, scope, enabled, entries } };
  const active = entries.filter((e) => e.active).map((e) => e.value);
  return { format, text: format === 'csv' ? `${active.join(',')}\n` : active.map((v) => `${v}\n`).join('') };
}

/** The fields of an exported entry import reads; the stamps are the store's own and are written anew. */
const READ_FIELDS = ['value', 'active', 'description'];
const STAMPS = ['createdAt', 'createdBy', 'updatedAt', 'updatedBy'];
const LIST_FIELDS = ['tenant', 'scope', 'enabled', 'entries'];

/** Why an exported entry is not one, or undefined. */
function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'an entry is an object {value, active, description?}';
  const fields = value as Record<string, unknown>;
  const unknown = Object.keys(fields).find((k) => !READ_FIELDS.includes(k) && !STAMPS.includes(k));
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown)}; expected ${[...READ_FIELDS, ...STAMPS].join(', ')}`;
  if (typeof fields.value !== 'string') return 'value must be a string';
  if (fields.active !== undefined && typeof fields.active !== 'boolean') return 'active must be true or false';
  if (fields.description !== undefined && typeof fields.description !== 'string') return 'description must be a string';
  const stamp = STAMPS.find((k) => fields[k] !== undefined && typeof fields[k] !== 'string');
  return stamp === undefined ? undefined : `${stamp} must be a string`;
}

/**
 * The entries of a `json` export, to import: each with its own state, or
 * `active` where it names none. Entries that are not entries are
 * `unreadable`, by position, as bad lines are; a value that is not an
 * exported list at all is a message.
 */
export function importedFromExport(value: unknown, active: boolean): { entries: ImportedEntry[]; unreadable: InvalidItem[] } | string {
  const list = value as Partial<Record<string, unknown>> | null;
  if (typeof list !== 'object' || list === null || Array.isArray(list) || !Array.isArray(list.entries)) {
    return 'an exported list is a JSON object {tenant, scope, enabled, entries: [...]}, as `export --format json` writes it';
  }
  const unknown = Object.keys(list).find((k) => !LIST_FIELDS.includes(k));
  if (unknown !== undefined) return `unknown field ${JSON.stringify(unknown)}; expected ${LIST_FIELDS.join(', ')}`;
  const entries: ImportedEntry[] = [];
  const unreadable: InvalidItem[] = [];
  list.entries.forEach((item: unknown, entry) => {
    const problem = entryProblem(item);
    if (problem !== undefined) {
      unreadable.push({ entry, token: shownToken(item), message: problem });
      return;
    }
    const e = item as { value: string; active?: boolean; description?: string };
    entries.push({ entry, input: { value: e.value, active: e.active ?? active, ...(e.description !== undefined && { description: e.description }) } });
  });
  return { entries, unreadable };
}
