/**
 * Who may call a tenant's admin routes: a bearer token for that tenant (or
 * for all tenants, `*`), from an address the tenant's `admin` allowlist
 * allows, decided by the live policy cache like every other enforcement point.
 * It runs before the body is read.
 */
import type { FastifyRequest } from 'fastify';
import { isValidTenant } from '../../store/keys.js';
import { ALL_TENANTS, type TokenInfo } from '../api-tokens.js';
import type { ApiServices } from './api-context.js';
import { ApiError, invalid, shownToken } from './errors.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function unauthorized(message: string, error?: 'invalid_token'): ApiError {
  const challenge = error ? `Bearer realm="sipwarden", error="${error}"` : 'Bearer realm="sipwarden"';
  return new ApiError(401, { error: 'unauthorized', message }, { 'www-authenticate': challenge });
}

const forbidden = (message: string) => new ApiError(403, { error: 'forbidden', message });

/** The caller's token, or 401. */
async function authenticate(request: FastifyRequest, services: ApiServices): Promise<TokenInfo> {
  const header = request.headers.authorization;
  if (header === undefined) throw unauthorized('send Authorization: Bearer <token> (tokens are created with the sipwarden CLI)');
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) throw unauthorized('the Authorization header must be "Bearer <token>"', 'invalid_token');
  const info = await services.tokens.verify(token);
  if (info === undefined) throw unauthorized('the token is not valid: unknown, revoked or mistyped', 'invalid_token');
  return info;
}

/** The onRequest hook of the /v1/tenants routes: sets `request.actor`, or refuses with 400, 401 or 403. */
export function admitting(services: ApiServices) {
  return async (request: FastifyRequest): Promise<void> => {
    const { tenant } = request.params as { tenant: string };
    const { id, name, tenant: tokenTenant } = await authenticate(request, services);
    if (!isValidTenant(tenant)) throw invalid('tenant', `${JSON.stringify(shownToken(tenant))} is not a valid tenant name`, shownToken(tenant));
    const { address } = request.client;
    const log = services.log;
    if (tokenTenant !== ALL_TENANTS && tokenTenant !== tenant) {
      log.warn({ token: id, tokenTenant, tenant, client: address }, 'admin api: token used for another tenant');
      throw forbidden(`token ${name} manages tenant ${tokenTenant} only, not ${tenant}`);
    }
    const decision = services.policy.decide(tenant, 'admin', address);
    if (!decision.allow) {
      log.warn({ token: id, tenant, client: address, reason: decision.reason }, 'admin api: address not allowed by the admin allowlist');
      throw forbidden(`your address ${address} is not allowed by the admin allowlist of ${tenant} (${decision.reason})`);
    }
    request.actor = { name: `${name} (token ${id})`, address, adminLockoutIsFinal: true };
  };
}
