/**
 * Operations on many entries at once: mass insert, bulk enable/disable/
 * delete, and replacing the whole list in one atomic push.
 */
import { type ImportedEntry, parseImport } from '../entry-import.js';
import { type BulkAction, type EntrySelector, type InvalidItem, canonicalValue } from '../list-admin.js';
import type { Route } from './api-context.js';
import { JSON_LINES_TYPES, JSON_TYPE, TEXT_TYPE, jsonObject, readJson } from './body.js';
import { arrayOf, boolean, flag, object, oneOf, optional, shownToken, text, withDefault } from './fields.js';
import { ENTRY_STATES, FILTER_SHAPE, FORCE, MAX_VALUE_LENGTH, entryShape } from './inputs.js';
import { type ErrorBody, failureReply, invalidReply, json } from './reply.js';
import { scopeRoute } from './route-kinds.js';

const SCOPE_PATH = '/v1/tenants/{tenant}/scopes/{scope}';
const MAX_BULK_VALUES = 100_000;
export const BULK_ACTIONS: readonly BulkAction[] = ['enable', 'disable', 'delete'];

/** JSON lines: one entry object a line; lines that are not one are reported by line number. */
function parseJsonLines(text: string, activeByDefault: boolean): { entries: ImportedEntry[]; unreadable: InvalidItem[] } {
  const entries: ImportedEntry[] = [];
  const unreadable: InvalidItem[] = [];
  const shape = entryShape(activeByDefault);
  text.split(/\r?\n/).forEach((content, i) => {
    if (content.trim() === '') return;
    const read = jsonObject(content, shape, 'line');
    if (read.ok) entries.push({ line: i + 1, input: read.value });
    else unreadable.push({ line: i + 1, token: shownToken(content.trim()), message: (read.reply.json as ErrorBody).message });
  });
  return { entries, unreadable };
}

const BULK_SHAPE = {
  action: oneOf(BULK_ACTIONS),
  values: optional(arrayOf(text(MAX_VALUE_LENGTH), MAX_BULK_VALUES)),
  filter: optional(object(FILTER_SHAPE)),
  all: optional(boolean),
};

export const LIST_ROUTES: readonly Route[] = [
  scopeRoute(
    'POST',
    `${SCOPE_PATH}/entries:import`,
    { skipInvalid: flag, state: withDefault(oneOf(ENTRY_STATES), 'active'), ...FORCE },
    async (request, { skipInvalid, state, force }) => {
      const body = await request.body([TEXT_TYPE, ...JSON_LINES_TYPES]);
      if (!body.ok) return body.reply;
      const active = state === 'active';
      const { entries, unreadable } =
        body.value.type === TEXT_TYPE ? { entries: parseImport(body.value.text, active), unreadable: [] } : parseJsonLines(body.value.text, active);
      if (entries.length + unreadable.length === 0) return invalidReply('body', 'no entries to import');
      const actor = { ...request.actor, force };
      const result = await request.exclusive(() => request.services.admin.importEntries(actor, request.list, entries, skipInvalid, unreadable));
      if (!result.ok) return failureReply(result.failure, 'body');
      const { rev, imported, skipped } = result.value;
      return json(200, { rev, imported, skipped });
    },
  ),

  scopeRoute('POST', `${SCOPE_PATH}/entries:bulk`, FORCE, async (request, { force }) => {
    const body = await readJson(request.body, BULK_SHAPE);
    if (!body.ok) return body.reply;
    const { action, values, filter, all } = body.value;
    if (all === false) return invalidReply('all', 'all must be true when given', 'false');
    const given = [values, filter, all].filter((s) => s !== undefined).length;
    if (given !== 1) return invalidReply('body', 'select entries with exactly one of values, filter or all');
    // Named values are checked here so the error names the one at fault.
    for (const [i, value] of (values ?? []).entries()) {
      const canonical = canonicalValue(value);
      if (!canonical.ok) return invalidReply(`values[${i}]`, canonical.message, shownToken(value));
    }
    const selector: EntrySelector = values ? { values } : filter ? { filter } : { all: true };
    const result = await request.exclusive(() => request.services.admin.bulk({ ...request.actor, force }, request.list, selector, action));
    return result.ok ? json(200, { rev: result.value.rev, affected: result.value.affected }) : failureReply(result.failure, values ? 'values' : 'filter');
  }),

  scopeRoute('PUT', `${SCOPE_PATH}/list`, { dryRun: flag, ...FORCE }, async (request, { dryRun, force }) => {
    const body = await request.body([TEXT_TYPE, JSON_TYPE]);
    if (!body.ok) return body.reply;
    const cidrs = body.value.type === JSON_TYPE ? jsonObject(body.value.text, { cidrs: text(Number.MAX_SAFE_INTEGER, true) }) : undefined;
    if (cidrs !== undefined && !cidrs.ok) return cidrs.reply;
    const list = cidrs?.value.cidrs ?? body.value.text;
    const replace = () => request.services.admin.replace({ ...request.actor, force }, request.list, list, dryRun);
    // A dry run writes nothing, so it need not wait for the writes queued before it.
    const result = dryRun ? await replace() : await request.exclusive(replace);
    return result.ok ? json(200, { dryRun, ...result.value }) : failureReply(result.failure, 'cidrs');
  }),
];
