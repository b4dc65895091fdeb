/**
 * One entry of a list: add, read, edit (description, state), delete. The
 * entry is named by its value in the path, percent-encoded:
 * `…/entries/10.0.0.0%2F8`; any spelling of it names the same entry.
 */
import { Type } from 'typebox';
import type { ListId } from '../../store/keys.js';
import type { EntryWritten as Changed } from '../list-admin.js';
import type { ApiServices } from './api-context.js';
import { failure, invalid } from './errors.js';
import { Entry, EntryParams, EntryPatch, EntryWritten, ForceQuery, NEW_ENTRY_ACTIVE, NewEntry, NoQuery, Revision, ScopeParams, errorResponses } from './schemas.js';
import { type ApiApp, actorOf, exclusive, listOf } from './tenant-routes.js';

const ENTRIES = '/v1/tenants/:tenant/scopes/:scope/entries';
const ENTRY = `${ENTRIES}/:cidr`;
const tags = ['entries'];

const entryPath = (list: ListId, value: string) =>
  `/v1/tenants/${encodeURIComponent(list.tenant)}/scopes/${list.scope}/entries/${encodeURIComponent(value)}`;

const written = ({ rev, entry }: Changed) => ({ rev, entry: entry! });

export function entryRoutes(app: ApiApp, services: ApiServices): void {
  app.post(
    ENTRIES,
    {
      schema: {
        operationId: 'addEntry',
        tags,
        summary: 'Add one entry (address, CIDR block or DNS name)',
        params: ScopeParams,
        querystring: ForceQuery,
        body: NewEntry,
        response: {
          201: { ...EntryWritten, description: 'Added.', headers: { Location: Type.String({ description: 'The new entry.' }) } },
          ...errorResponses(409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const list = listOf(request.params);
      const { body } = request;
      const input = { ...body, active: body.active ?? NEW_ENTRY_ACTIVE };
      const actor = actorOf(request);
      const added = await exclusive(services, list, () => services.admin.addEntry(actor, list, input));
      if (!added.ok) throw failure(added.failure, 'value');
      reply.code(201).header('location', entryPath(list, added.value.value));
      return written(added.value);
    },
  );

  app.get(
    ENTRY,
    {
      schema: {
        operationId: 'getEntry',
        tags,
        summary: 'One entry',
        params: EntryParams,
        querystring: NoQuery,
        response: { 200: { ...Entry, description: 'The entry.' }, ...errorResponses(404, 422) },
      },
    },
    async (request) => {
      const entry = await services.admin.entry(listOf(request.params), request.params.cidr);
      if (!entry.ok) throw failure(entry.failure, entry.failure.kind === 'invalid' ? 'cidr' : 'scope');
      return entry.value;
    },
  );

  app.patch(
    ENTRY,
    {
      schema: {
        operationId: 'editEntry',
        tags,
        summary: 'Change the description or the state of an entry',
        params: EntryParams,
        querystring: ForceQuery,
        body: EntryPatch,
        response: { 200: { ...EntryWritten, description: 'Changed.' }, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      const patch = request.body;
      if (patch.description === undefined && patch.active === undefined) throw invalid('body', 'nothing to change: give description, active or both');
      const actor = actorOf(request);
      const edited = await exclusive(services, list, () => services.admin.editEntry(actor, list, request.params.cidr, patch));
      if (!edited.ok) throw failure(edited.failure, 'cidr');
      return written(edited.value);
    },
  );

  app.delete(
    ENTRY,
    {
      schema: {
        operationId: 'deleteEntry',
        tags,
        summary: 'Delete an entry',
        params: EntryParams,
        querystring: ForceQuery,
        response: { 200: { ...Revision, description: 'Deleted.' }, ...errorResponses(404, 409, 422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      const actor = actorOf(request);
      const deleted = await exclusive(services, list, () => services.admin.deleteEntry(actor, list, request.params.cidr));
      if (!deleted.ok) throw failure(deleted.failure, 'cidr');
      return { rev: deleted.value.rev };
    },
  );
}
