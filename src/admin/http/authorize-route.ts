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
 * so the answer is no. Every failure, whatever it is, answers 403.
 *
 * nginx sends the subrequest with the original request's method, so every
 * method is served alike.
 */
import { type Scope, isScope } from '../../policy/index.js';
import { isValidTenant } from '../../store/keys.js';
import type { ApiContext, Route } from './api-context.js';
import type { Reply } from './reply.js';

export const AUTHORIZE_PATH = '/v1/authorize';
export const AUTHORIZE_SCOPES: readonly Scope[] = ['recordings', 'admin'];
export const AUTHORIZE_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const answer = (allow: boolean, reason: string): Reply => ({ status: allow ? 204 : 403, headers: { 'x-sipwarden-reason': reason } });

/** The value from the query or the header; undefined when absent, null when the two disagree. */
function either(context: ApiContext, name: 'tenant' | 'scope'): string | undefined | null {
  const fromQuery = context.query.getAll(name);
  const header = context.headers[`x-sipwarden-${name}`];
  const fromHeader = header === undefined ? [] : [header].flat();
  const values = new Set([...fromQuery, ...fromHeader].map((v) => v.trim()));
  if (values.size > 1) return null;
  return values.values().next().value;
}

function decideFor(context: ApiContext): { allow: boolean; reason: string; scope: string } {
  const tenant = either(context, 'tenant');
  const scope = either(context, 'scope');
  if (tenant === null || scope === null) return { allow: false, reason: 'conflicting-request', scope: 'invalid' };
  if (tenant === undefined || !isValidTenant(tenant)) return { allow: false, reason: 'bad-tenant', scope: 'invalid' };
  if (scope === undefined || !isScope(scope) || !AUTHORIZE_SCOPES.includes(scope)) return { allow: false, reason: 'bad-scope', scope: 'invalid' };
  const decision = context.services.policy.decide(tenant, scope, context.client.address);
  return { allow: decision.allow, reason: decision.reason, scope };
}

export const AUTHORIZE_ROUTE: Route = {
  methods: AUTHORIZE_METHODS,
  path: AUTHORIZE_PATH,
  query: ['tenant', 'scope'],
  async handle(context) {
    const { services, client } = context;
    let verdict: { allow: boolean; reason: string; scope: string };
    try {
      verdict = decideFor(context);
    } catch (err) {
      services.log.error({ err }, 'authorize failed; denying');
      verdict = { allow: false, reason: 'error', scope: 'invalid' };
    }
    services.metrics.authorizations.inc({ scope: verdict.scope, result: verdict.allow ? 'allow' : 'deny' });
    services.log.debug({ client: client.address, forwardedBy: client.forwardedBy, ...verdict }, 'authorize');
    return answer(verdict.allow, verdict.reason);
  },
};
