/**
 * The authorization endpoint for nginx `auth_request` and any HTTP service
 * guarding a non-SIP scope: `recordings` (public recording links) and
 * `admin` (a portal's login). It answers 204 (allowed) or 403 (denied), with
 * no body: it tells the caller about its own address and nothing about the
 * list. The reason is in the `X-Sipwarden-Reason` header for nginx's logs.
 *
 * The client address comes from the forwarded-address header of a trusted
 * proxy (nginx), else the socket. Tenant and scope come from the query string
 * or the `X-Sipwarden-Tenant`/`X-Sipwarden-Scope` headers; when both carry
 * one and they differ, a client may have smuggled a header past the front,
 * so the answer is no. Every failure, whatever it is, answers 403: the
 * schema documents the request, but a request it refuses is denied, not 400.
 *
 * nginx sends the subrequest with the original request's method (and
 * Content-Type, with no body), so every method is served alike.
 */
import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { Type } from 'typebox';
import { type Scope, isScope } from '../../policy/index.js';
import { isValidTenant } from '../../store/keys.js';
import type { ApiServices } from './api-context.js';

export const AUTHORIZE_PATH = '/v1/authorize';
export const AUTHORIZE_SCOPES = ['recordings', 'admin'] as const satisfies readonly Scope[];
export const AUTHORIZE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const AuthorizeScope = Type.Enum(AUTHORIZE_SCOPES, { type: 'string' });
const Reason = Type.String({
  description: 'scope-disabled, matched, country-allowed, no-match, empty-list, bad-source-address, policy-unavailable, or bad-tenant, bad-scope, conflicting-request, error.',
});
const answer = (description: string) => ({ type: 'null', description, headers: { 'X-Sipwarden-Reason': Reason } }) as const;

const SCHEMA: FastifySchema = {
  tags: ['authorization'],
  summary: 'Is the client allowed by a scope of a tenant? (nginx auth_request)',
  description:
    'Answers 204 when the client address is allowed by the scope of the tenant, else 403; never a body. ' +
    'The client address is the socket peer, or the address in the client-address header (default X-Forwarded-For) when the peer is a trusted proxy. ' +
    'Tenant and scope come from the query or from the X-Sipwarden-Tenant / X-Sipwarden-Scope headers; if both are given and differ, the answer is 403. ' +
    'Any failure answers 403 (fail closed). Every method is served alike, since nginx sends the subrequest with the original method. No token is needed.',
  security: [],
  querystring: Type.Object({
    tenant: Type.Optional(Type.String({ description: 'The tenant (or header X-Sipwarden-Tenant).' })),
    scope: Type.Optional(Type.Enum(AUTHORIZE_SCOPES, { type: 'string', description: 'The scope (or header X-Sipwarden-Scope).' })),
  }),
  headers: Type.Object({
    'X-Sipwarden-Tenant': Type.Optional(Type.String()),
    'X-Sipwarden-Scope': Type.Optional(AuthorizeScope),
    'X-Forwarded-For': Type.Optional(Type.String({ description: 'Believed only from a trusted proxy.' })),
  }),
  response: { 204: answer('Allowed.'), 403: answer('Denied, or the request could not be decided.') },
};

interface Verdict {
  readonly allow: boolean;
  readonly reason: string;
  /** The scope decided, or `invalid` for a request that could not be. */
  readonly scope: string;  /** The client's country, when the scope's country set is on (logged, never answered). */
  readonly country?: string;
}

/** The value from the query or the header; undefined when absent, null when they disagree. */
function either(request: FastifyRequest, name: 'tenant' | 'scope'): string | undefined | null {
  const query = request.query as Record<string, string | string[] | undefined>;
  const header = request.headers[`x-sipwarden-${name}`];
  const values = new Set([query[name] ?? [], header ?? []].flat().map((v) => v.trim()));
  if (values.size > 1) return null;
  return values.values().next().value;
}

function decideFor(request: FastifyRequest, services: ApiServices): Verdict {
  const tenant = either(request, 'tenant');
  const scope = either(request, 'scope');
  if (tenant === null || scope === null) return { allow: false, reason: 'conflicting-request', scope: 'invalid' };
  if (tenant === undefined || !isValidTenant(tenant)) return { allow: false, reason: 'bad-tenant', scope: 'invalid' };
  if (scope === undefined || !isScope(scope) || !(AUTHORIZE_SCOPES as readonly Scope[]).includes(scope)) return { allow: false, reason: 'bad-scope', scope: 'invalid' };
  const decision = services.policy.decide(tenant, scope, request.client.address);
  return { allow: decision.allow, reason: decision.reason, scope, ...(decision.country !== undefined && { country: decision.country }) };
}

export function authorizeRoutes(services: ApiServices) {
  return async (app: FastifyInstance): Promise<void> => {
    for (const method of AUTHORIZE_METHODS) {
      const operationId = `authorize${method[0]}${method.slice(1).toLowerCase()}`;
      // @fastify/swagger documents a HEAD route only when told, and suffixes an operationId it finds on one with -head.
      const head = method === 'HEAD';
      app.route({
        method,
        url: AUTHORIZE_PATH,
        schema: head ? SCHEMA : { ...SCHEMA, operationId },
        ...(head && { config: { swagger: { exposeHeadRoute: true }, swaggerTransform: ({ schema, url }) => ({ schema: { ...schema, operationId }, url }) } }),
        // A request the schema refuses is still answered, with 403.
        attachValidation: true,
        handler: async (request, reply) => {
          let verdict: Verdict;
          try {
            verdict = decideFor(request, services);
          } catch (err) {
            services.log.error({ err }, 'authorize failed; denying');
            verdict = { allow: false, reason: 'error', scope: 'invalid' };
          }
          services.metrics.authorizations.inc({ scope: verdict.scope, result: verdict.allow ? 'allow' : 'deny' });
          services.log.debug({ client: request.client.address, forwardedBy: request.client.forwardedBy, ...verdict }, 'authorize');
          return reply.code(verdict.allow ? 204 : 403).header('x-sipwarden-reason', verdict.reason).send();
        },
      });
    }
  };
}
