/**
 * A tenant's scopes: show them (one or all, entries filtered), switch one on
 * or off, check an address against one, export one.
 */
import { SCOPES } from '../../policy/index.js';
import type { ApiServices } from './api-context.js';
import { failure } from './errors.js';
import { exportReply } from './export-format.js';
import {
  Check,
  CheckQuery,
  CountriesChange,
  CountriesSet,
  DEFAULT_EXPORT_FORMAT,
  Enabled,
  ExportQuery,
  ExportedList,
  ForceQuery,
  List,
  ScopeParams,
  NoQuery,
  ShowQuery,
  Scopes,
  SwitchedScope,
  TenantParams,
  errorResponses,
} from './schemas.js';
import { type ApiApp, actorOf, exclusive, listOf } from './tenant-routes.js';
import { Type } from 'typebox';

const SCOPE_PATH = '/v1/tenants/:tenant/scopes/:scope';
const tags = ['scopes'];

export function scopeRoutes(app: ApiApp, services: ApiServices): void {
  app.get(
    '/v1/tenants/:tenant/scopes',
    {
      schema: {
        operationId: 'listScopes',
        tags,
        summary: 'Every scope of the tenant with its entries',
        params: TenantParams,
        querystring: NoQuery,
        response: { 200: Scopes, ...errorResponses() },
      },
    },
    async (request) => {
      const { tenant } = request.params;
      const shown = await Promise.all(SCOPES.map((scope) => services.admin.show({ tenant, scope })));
      const scopes = shown.map((result, i) =>
        result.ok ? result.value : { tenant, scope: SCOPES[i]!, error: 'unreadable' as const, message: result.failure.message },
      );
      return { tenant, scopes };
    },
  );

  app.get(
    SCOPE_PATH,
    {
      schema: {
        operationId: 'showScope',
        tags,
        summary: 'A scope: enabled or not, the enforced string, and its entries (filtered, paged)',
        description: 'Without offset and limit every matching entry; total counts them all, whatever the page.',
        params: ScopeParams,
        querystring: ShowQuery,
        response: { 200: { ...List, description: 'The list.' }, ...errorResponses(422) },
      },
    },
    async (request) => {
      const { offset, limit, ...filter } = request.query;
      const shown = await services.admin.show(listOf(request.params), filter, { offset, limit });
      if (!shown.ok) throw failure(shown.failure, 'scope');
      return shown.value;
    },
  );

  app.put(
    SCOPE_PATH,
    {
      schema: {
        operationId: 'setScopeEnabled',
        tags,
        summary: 'Switch the scope on or off',
        description: 'Refused (403 lockout) when it would deny your own address, unless force=true; never forced for the admin scope.',
        params: ScopeParams,
        querystring: ForceQuery,
        body: Enabled,
        response: { 200: SwitchedScope, ...errorResponses(409, 413, 415, 422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      const { enabled } = request.body;
      const actor = actorOf(request);
      const written = await exclusive(services, list, () => services.admin.setEnabled(actor, list, enabled));
      if (!written.ok) throw failure(written.failure, 'enabled');
      return { ...list, enabled, rev: written.value.rev };
    },
  );

  app.put(
    `${SCOPE_PATH}/countries`,
    {
      schema: {
        operationId: 'setCountries',
        tags,
        summary: 'Set the allowed countries, switch them on or off, or both',
        description:
          'A source is allowed when it matches an active entry of the enabled list or its country is in the enabled set. ' +
          'Codes that are not ISO 3166-1 alpha-2 are refused (422), every one named. ' +
          'Refused (403 lockout) when it would deny your own address, unless force=true; never forced for the admin scope.',
        params: ScopeParams,
        querystring: ForceQuery,
        body: CountriesChange,
        response: { 200: CountriesSet, ...errorResponses(409, 413, 415, 422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      const { countries, enabled } = request.body;
      const codes = Array.isArray(countries) ? countries.join(',') : countries;
      const actor = actorOf(request);
      const written = await exclusive(services, list, () => services.admin.setCountries(actor, list, { ...(codes !== undefined && { codes }), ...(enabled !== undefined && { enabled }) }));
      if (!written.ok) throw failure(written.failure, codes === undefined ? 'enabled' : 'countries');
      return { ...list, countries: written.value.countries, rev: written.value.rev };
    },
  );

  app.get(
    `${SCOPE_PATH}/check`,
    {
      schema: {
        operationId: 'checkAddress',
        tags,
        summary: 'The decision the stored list gives an address, with the entry that matched',
        params: ScopeParams,
        querystring: CheckQuery,
        response: { 200: Check, ...errorResponses(422) },
      },
    },
    async (request) => {
      const list = listOf(request.params);
      // Without ?ip the caller's own address: "would I get in?"
      const address = request.query.ip ?? request.client.address;
      const decision = await services.admin.check(list, address);
      if (!decision.ok) throw failure(decision.failure, 'scope');
      return { ...list, ip: address, ...decision.value };
    },
  );

  app.get(
    `${SCOPE_PATH}/export`,
    {
      schema: {
        operationId: 'exportScope',
        tags,
        summary: 'The entries as a file (filtered like showScope)',
        description:
          'csv: the active values comma-separated, as enforced and as PUT …/list takes them back; lines: the same values one a line, the plain list for other tools; ' +
          'json: every entry, active and inactive, with its state, description and stamps, as POST …/entries:import (application/json) takes it back: ' +
          'imported into an empty list it gives the same list. The same as the CLI\'s `sipwarden export`.',
        params: ScopeParams,
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The export, as an attachment.',
            content: { 'text/plain': { schema: Type.String() }, 'application/json': { schema: ExportedList } },
          },
          ...errorResponses(422),
        },
      },
    },
    async (request, reply) => {
      const { format = DEFAULT_EXPORT_FORMAT, ...filter } = request.query;
      const list = listOf(request.params);
      const exported = await services.admin.export(list, format, filter);
      if (!exported.ok) throw failure(exported.failure, 'scope');
      return exportReply(reply, list, exported.value);
    },
  );
}
