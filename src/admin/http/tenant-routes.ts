/**
 * The /v1/tenants routes, in one fastify context whose onRequest hook checks
 * what all of them share before anything else happens: the token, its
 * permission for the tenant and the tenant's `admin` allowlist. No route can
 * forget it. A route's schema checks the rest (its scope, query and body);
 * its writes to one list take turns in this process.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Scope } from '../../policy/index.js';
import { type ListId, listIdKey } from '../../store/keys.js';
import type { Actor } from '../list-admin.js';
import { type FailureLimiter, admitting } from './access.js';
import type { ApiServices } from './api-context.js';
import { auditRoute } from './audit-route.js';
import { deniedRoutes } from './denied-routes.js';
import { entryRoutes } from './entry-routes.js';
import { listRoutes } from './list-routes.js';
import { scopeRoutes } from './scope-routes.js';

export const typed = (app: FastifyInstance) => app.withTypeProvider<TypeBoxTypeProvider>();

/** A fastify instance whose handlers are typed from their TypeBox schemas. */
export type ApiApp = ReturnType<typeof typed>;

export function tenantRoutes(services: ApiServices, limiter: FailureLimiter | undefined) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', admitting(services, limiter));
    const api = typed(app);
    for (const routes of [scopeRoutes, entryRoutes, listRoutes, auditRoute, deniedRoutes]) routes(api, services);
  };
}

/** The caller for ListAdmin, overriding the lockout guard when the request says `force=true`. */
export const actorOf = (request: { readonly actor: Actor; readonly query: { readonly force?: boolean } }): Actor => ({ ...request.actor, force: request.query.force === true });

export const listOf = ({ tenant, scope }: { tenant: string; scope: Scope }): ListId => ({ tenant, scope });

/** Runs a write to `list` after this process's earlier writes to it. */
export function exclusive<T>(services: ApiServices, list: ListId, write: () => Promise<T>): Promise<T> {
  return services.writes.run(listIdKey(list), write);
}
