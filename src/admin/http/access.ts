/**
 * Who may call a tenant's admin routes: a bearer token for that tenant (or
 * for all tenants, `*`), from an address the tenant's `admin` allowlist
 * allows, decided by the live policy cache like every other enforcement point.
 * It runs before the body is read.
 *
 * Failed token checks are counted per client address (IPv6 by /64); past the
 * limit every token check from that address answers 429 until the window
 * ends, so tokens cannot be tried at line rate. A bad token is logged without
 * the token.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isValidTenant } from '../../store/keys.js';
import { ALL_TENANTS, type TokenInfo } from '../api-tokens.js';
import type { ApiServices } from './api-context.js';
import { ApiError, invalid, shownToken } from './errors.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Counts a failed token check (`increment`), or reads the count; fastify.createRateLimit's limiter. */
export type FailureLimiter = ReturnType<FastifyInstance['createRateLimit']>;

function unauthorized(message: string, error?: 'invalid_token'): ApiError {
  const challenge = error ? `Bearer realm="sipwarden", error="${error}"` : 'Bearer realm="sipwarden"';
  return new ApiError(401, { error: 'unauthorized', message }, { 'www-authenticate': challenge });
}

const forbidden = (message: string) => new ApiError(403, { error: 'forbidden', message });

/** The caller's token, or 401; 429 once the address has failed too often. */
async function authenticate(request: FastifyRequest, services: ApiServices, limiter: FailureLimiter | undefined): Promise<TokenInfo> {
  const header = request.headers.authorization;
  if (header === undefined) throw unauthorized('send Authorization: Bearer <token> (tokens are created with the sipwarden CLI)');
  const { address } = request.client;
  const seen = await limiter?.(request, { increment: false });
  if (seen !== undefined && !seen.isAllowed && seen.remaining === 0) {
    services.log.warn({ client: address, limit: seen.max }, 'admin api: token check refused, too many failures from this address');
    const seconds = String(Math.max(1, seen.ttlInSeconds));
    throw new ApiError(429, { error: 'too-many-requests', message: `too many failed token checks from ${address}; try again in ${seconds} s` }, { 'retry-after': seconds });
  }
  const token = BEARER.exec(header)?.[1];
  const info = token === undefined ? undefined : await services.tokens.verify(token);
  if (info !== undefined) return info;
  await limiter?.(request);
  services.log.warn({ client: address, reason: token === undefined ? 'not a bearer token' : 'unknown, revoked or mistyped' }, 'admin api: bad token');
  if (token === undefined) throw unauthorized('the Authorization header must be "Bearer <token>"', 'invalid_token');
  throw unauthorized('the token is not valid: unknown, revoked or mistyped', 'invalid_token');
}

/** The onRequest hook of the /v1/tenants routes: sets `request.actor`, or refuses with 400, 401, 403 or 429. */
export function admitting(services: ApiServices, limiter: FailureLimiter | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    const { tenant } = request.params as { tenant: string };
    const { id, name, tenant: tokenTenant } = await authenticate(request, services, limiter);
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
