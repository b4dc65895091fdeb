/**
 * Who is knocking (issue 14): the sources the edges denied for a tenant, and
 * allowing one of them in one call.
 */
import { isIpAddress } from '../../policy/index.js';
import type { DeniedSource } from '../../store/denied-log.js';
import type { ApiServices } from './api-context.js';
import { failure, invalid, shownToken } from './errors.js';
import { AllowDeniedBody, AllowedDenied, DeniedPage, DeniedParams, DeniedQuery, ForceQuery, TenantParams, errorResponses } from './schemas.js';
import { type ApiApp, actorOf, exclusive } from './tenant-routes.js';

const tags = ['denied'];
const DEFAULT_LIMIT = 100;

const shown = ({ tenant: _tenant, firstSeen, lastSeen, ...source }: DeniedSource) => ({ ...source, firstSeen: new Date(firstSeen).toISOString(), lastSeen: new Date(lastSeen).toISOString() });

export function deniedRoutes(app: ApiApp, services: ApiServices): void {
  app.get(
    '/v1/tenants/:tenant/denied',
    {
      schema: {
        operationId: 'listDenied',
        tags,
        summary: 'The sources the edges denied for the tenant, newest or busiest first',
        description: 'Added up from every edge at its flush interval (SIPWARDEN_DENIED_FLUSH_MS), bounded per tenant and expiring (SIPWARDEN_DENIED_MAX_PER_TENANT, SIPWARDEN_DENIED_TTL_S).',
        params: TenantParams,
        querystring: DeniedQuery,
        response: { 200: DeniedPage, ...errorResponses() },
      },
    },
    async (request) => {
      const { tenant } = request.params;
      const { scope, order = 'recent', limit = DEFAULT_LIMIT } = request.query;
      const sources = await services.denied.list(tenant, { ...(scope !== undefined && { scope }), order, limit });
      return { tenant, sources: sources.map(shown) };
    },
  );

  app.post(
    '/v1/tenants/:tenant/denied/:address/allow',
    {
      schema: {
        operationId: 'allowDenied',
        tags,
        summary: "Add a denied source to its scope's list in one step",
        description: 'The address becomes an active entry (audited, lockout-guarded like any add) and leaves the denied sources. 404 when it was not denied lately and no scope is named.',
        params: DeniedParams,
        querystring: ForceQuery,
        body: AllowDeniedBody,
        response: { 200: AllowedDenied, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const { tenant, address } = request.params;
      const { scope, description } = request.body;
      if (!isIpAddress(address)) throw invalid('address', `${JSON.stringify(shownToken(address))} is not an IP address`, shownToken(address));
      const actor = actorOf(request);
      const allow = () => services.denied.allow(actor, tenant, address, { ...(scope !== undefined && { scope }), ...(description !== undefined && { description }) });
      // Taken in turn with the other writes of the scope's list when the scope is known; else the one-scope lookup decides it.
      const allowed = scope === undefined ? await allow() : await exclusive(services, { tenant, scope }, allow);
      // The address is valid by now: what is invalid is the scope left out (denied in two).
      if (!allowed.ok) throw failure(allowed.failure, 'scope');
      return { tenant, scope: allowed.value.scope, rev: allowed.value.rev, entry: allowed.value.entry! };
    },
  );
}
