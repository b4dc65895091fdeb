/**
 * One entry of a list: add, read, edit (description, state), delete. The
 * entry is named by its value in the path, percent-encoded:
 * `…/entries/10.0.0.0%2F8`; any spelling of it names the same entry.
 */
import type { ListId } from '../../store/keys.js';
import type { ListEntry } from '../../store/list-state.js';
import { canonicalValue } from '../list-admin.js';
import type { Route } from './api-context.js';
import { readJson } from './body.js';
import { boolean, optional, shownToken, text } from './fields.js';
import { FORCE, MAX_DESCRIPTION_LENGTH, entryParam, entryShape } from './inputs.js';
import { type Reply, errorReply, failureReply, invalidReply, json } from './reply.js';
import { scopeRoute } from './route-kinds.js';

const ENTRIES = '/v1/tenants/{tenant}/scopes/{scope}/entries';
const ENTRY = `${ENTRIES}/{cidr}`;

const entryPath = (list: ListId, value: string) =>
  `/v1/tenants/${encodeURIComponent(list.tenant)}/scopes/${list.scope}/entries/${encodeURIComponent(value)}`;

function entryReply(status: number, rev: number, entries: readonly ListEntry[], value: string, headers?: Record<string, string>): Reply {
  return json(status, { rev, entry: entries.find((e) => e.value === value) }, headers);
}

export const ENTRY_ROUTES: readonly Route[] = [
  scopeRoute('POST', ENTRIES, FORCE, async (request, { force }) => {
    const body = await readJson(request.body, entryShape(true));
    if (!body.ok) return body.reply;
    const canonical = canonicalValue(body.value.value);
    if (!canonical.ok) return invalidReply('value', canonical.message, shownToken(body.value.value));
    const input = { ...body.value, value: canonical.value };
    const written = await request.exclusive(() => request.services.admin.addEntry({ ...request.actor, force }, request.list, input));
    if (!written.ok) return failureReply(written.failure, 'value');
    return entryReply(201, written.value.rev, written.value.entries, canonical.value, { location: entryPath(request.list, canonical.value) });
  }),

  scopeRoute('GET', ENTRY, {}, async ({ list, params, services }) => {
    const value = entryParam(params);
    if (!value.ok) return value.reply;
    const shown = await services.admin.show(list);
    if (!shown.ok) return failureReply(shown.failure, 'scope');
    const entry = shown.value.entries.find((e) => e.value === value.value);
    return entry ? json(200, entry) : errorReply(404, { error: 'not-found', message: `${value.value} is not in ${list.tenant}/${list.scope}` });
  }),

  scopeRoute('PATCH', ENTRY, FORCE, async (request, { force }) => {
    const value = entryParam(request.params);
    if (!value.ok) return value.reply;
    const body = await readJson(request.body, { description: optional(text(MAX_DESCRIPTION_LENGTH)), active: optional(boolean) });
    if (!body.ok) return body.reply;
    const patch = body.value;
    if (patch.description === undefined && patch.active === undefined) return invalidReply('body', 'nothing to change: give description, active or both');
    const written = await request.exclusive(() => request.services.admin.editEntry({ ...request.actor, force }, request.list, value.value, patch));
    return written.ok ? entryReply(200, written.value.rev, written.value.entries, value.value) : failureReply(written.failure, 'cidr');
  }),

  scopeRoute('DELETE', ENTRY, FORCE, async (request, { force }) => {
    const value = entryParam(request.params);
    if (!value.ok) return value.reply;
    const written = await request.exclusive(() => request.services.admin.deleteEntry({ ...request.actor, force }, request.list, value.value));
    return written.ok ? json(200, { rev: written.value.rev }) : failureReply(written.failure, 'cidr');
  }),
];
