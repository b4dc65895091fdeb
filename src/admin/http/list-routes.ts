/**
 * Operations on many entries at once: mass insert, bulk enable/disable/
 * delete, and replacing the whole list in one atomic push.
 */
import type { Static } from 'typebox';
import { type ImportedEntry, parseImport } from '../entry-import.js';
import { importedFromExport } from '../list-export.js';
import type { EntrySelector, InvalidItem } from '../list-admin.js';
import type { ApiServices } from './api-context.js';
import { mediaTypeOf, parseJson } from './body.js';
import { ApiError, failure, invalid, shownToken } from './errors.js';
import {
  BulkDone,
  BulkRequest,
  DEFAULT_IMPORT_STATE,
  EntryLine,
  ForceQuery,
  ImportBody,
  ImportQuery,
  Imported,
  ReplaceBody,
  ReplaceQuery,
  Replaced,
  ScopeParams,
  TEXT_TYPE,
  errorResponses,
} from './schemas.js';
import { type ApiApp, actorOf, exclusive, listOf } from './tenant-routes.js';
import { jsonValidator, refusalOf } from './validation.js';

const SCOPE_PATH = '/v1/tenants/:tenant/scopes/:scope';
const tags = ['entries'];

const isEntryLine = jsonValidator<Static<typeof EntryLine>>(EntryLine);

/** The entry a JSON line holds, or why it holds none. */
function entryLine(content: string): Static<typeof EntryLine> | string {
  try {
    const value = parseJson(content, 'line');
    return isEntryLine(value) ? value : refusalOf(isEntryLine.errors![0]!, 'line').body.message;
  } catch (err) {
    if (err instanceof ApiError) return err.body.message;
    throw err;
  }
}

/** JSON lines: one entry object a line; lines that are not one are reported by line number. */
function parseJsonLines(text: string, activeByDefault: boolean): { entries: ImportedEntry[]; unreadable: InvalidItem[] } {
  const entries: ImportedEntry[] = [];
  const unreadable: InvalidItem[] = [];
  text.split(/\r?\n/).forEach((content, i) => {
    if (content.trim() === '') return;
    const read = entryLine(content);
    if (typeof read === 'string') unreadable.push({ line: i + 1, token: shownToken(content.trim()), message: read });
    else entries.push({ line: i + 1, input: { ...read, active: read.active ?? activeByDefault } });
  });
  return { entries, unreadable };
}

export function listRoutes(app: ApiApp, services: ApiServices): void {
  app.post(
    `${SCOPE_PATH}/entries::import`,
    {
      schema: {
        operationId: 'importEntries',
        tags,
        summary: 'Mass insert, validated as a whole',
        description:
          'text/plain: one entry a line or several comma-separated, each an address, CIDR block or DNS name optionally followed by a description; blank lines and # comments skipped. ' +
          'JSON lines: one object {value, description?, active?} a line. application/json: a json export, each entry with its own state and description. ' +
          'An entry already listed takes the new description and state; state= is the state of entries that name none. ' +
          'Every bad line is reported with its line number and nothing is written, unless skipInvalid=true, which writes the rest and reports what it skipped.',
        params: ScopeParams,
        querystring: ImportQuery,
        body: ImportBody,
        response: { 200: Imported, ...errorResponses(409, 413, 415, 422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      const { skipInvalid, state = DEFAULT_IMPORT_STATE } = request.query;
      const active = state === 'active';
      const { body } = request;
      const type = mediaTypeOf(request);
      const read =
        typeof body !== 'string' ? importedFromExport(body, active) : type === TEXT_TYPE ? { entries: parseImport(body, active), unreadable: [] } : parseJsonLines(body, active);
      if (typeof read === 'string') throw invalid('body', read);
      const { entries, unreadable } = read;
      if (entries.length + unreadable.length === 0) throw invalid('body', 'no entries to import');
      const actor = actorOf(request);
      const result = await exclusive(services, list, () => services.admin.importEntries(actor, list, entries, skipInvalid === true, unreadable));
      if (!result.ok) throw failure(result.failure, 'body');
      const { rev, imported, skipped } = result.value;
      return { rev, imported, skipped };
    },
  );

  app.post(
    `${SCOPE_PATH}/entries::bulk`,
    {
      schema: {
        operationId: 'bulkEntries',
        tags,
        summary: 'Enable, disable or delete entries by values, by filter, or all',
        params: ScopeParams,
        querystring: ForceQuery,
        body: BulkRequest,
        response: { 200: BulkDone, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      const { action, values, filter, all } = request.body;
      const given = [values, filter, all].filter((s) => s !== undefined).length;
      if (given !== 1) throw invalid('body', 'select entries with exactly one of values, filter or all');
      const selector: EntrySelector = values ? { values } : filter ? { filter } : { all: true };
      const actor = actorOf(request);
      const result = await exclusive(services, list, () => services.admin.bulk(actor, list, selector, action));
      if (!result.ok) {
        // A bad value is named by its position: values[1].
        const at = result.failure.kind === 'invalid' ? result.failure.items?.[0]?.entry : undefined;
        throw failure(result.failure, at !== undefined ? `values[${at}]` : values ? 'values' : 'filter');
      }
      return { rev: result.value.rev, affected: result.value.affected };
    },
  );

  app.put(
    `${SCOPE_PATH}/list`,
    {
      schema: {
        operationId: 'replaceList',
        tags,
        summary: 'Replace the whole active list in one atomic push',
        description:
          'The comma-separated list becomes the active entries; descriptions of entries that stay are kept, inactive entries are left alone. ' +
          'Switches a scope never configured on. With dryRun=true nothing is written and the diff is returned.',
        params: ScopeParams,
        querystring: ReplaceQuery,
        body: ReplaceBody,
        response: { 200: Replaced, ...errorResponses(409, 413, 415, 422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      const cidrs = typeof request.body === 'string' ? request.body : request.body.cidrs;
      const dryRun = request.query.dryRun === true;
      const actor = actorOf(request);
      const replace = () => services.admin.replace(actor, list, cidrs, dryRun);
      // A dry run writes nothing, so it need not wait for the writes queued before it.
      const result = dryRun ? await replace() : await exclusive(services, list, replace);
      if (!result.ok) throw failure(result.failure, 'cidrs');
      return { dryRun, ...result.value };
    },
  );
}
