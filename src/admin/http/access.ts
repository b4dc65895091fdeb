/**
 * Who may call a tenant's admin routes: a bearer token for that tenant (or
 * for all tenants, `*`), or a console session signed in with one (its
 * cookie, and for a change its CSRF token), from an address the tenant's
 * `admin` allowlist allows, decided by the live policy cache like every
 * other enforcement point. It runs before the body is read.
 *
 * Failed token checks are counted per client address (IPv6 by /64); past the
 * limit every token check from that address answers 429 until the window
 * ends, so tokens cannot be tried at line rate. A bad token is logged without
 * the token. A session is checked against its token on every request, so
 * revoking the token ends its sessions.
 *
 * The edge-wide routes (the ban list) belong to no tenant: drachtio-server
 * drops a banned source for every tenant, so only a token for all tenants
 * may read or lift a ban, and no tenant's `admin` allowlist is the one to
 * judge it by (as a `*` token's sign-in).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isValidTenant } from '../../store/keys.js';
import { ALL_TENANTS, type TokenInfo } from '../api-tokens.js';
import type { ConsoleSession } from '../console-sessions.js';
import type { ApiServices } from './api-context.js';
import { ApiError, forbidden, invalid, shownToken, unauthorized } from './errors.js';
import { CSRF_HEADER, SAFE_METHODS, sessionIdOf } from './session-cookie.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** Counts a failed token check (`increment`), or reads the count; fastify.createRateLimit's limiter. */
export type FailureLimiter = ReturnType<FastifyInstance['createRateLimit']>;

/** 429 once the request's address has failed too many token checks. */
async function refuseWhenLimited(request: FastifyRequest, services: ApiServices, limiter: FailureLimiter | undefined): Promise<void> {
  const seen = await limiter?.(request, { increment: false });
  if (seen === undefined || seen.isAllowed || seen.remaining !== 0) return;
  const { address } = request.client;
  services.log.warn({ client: address, limit: seen.max }, 'admin api: token check refused, too many failures from this address');
  const seconds = String(Math.max(1, seen.ttlInSeconds));
  throw new ApiError(429, { error: 'too-many-requests', message: `too many failed token checks from ${address}; try again in ${seconds} s` }, { 'retry-after': seconds });
}

/** The token's identity, or 401 (counted); `token` undefined when what was sent is no token at all. */
export async function checkToken(request: FastifyRequest, services: ApiServices, limiter: FailureLimiter | undefined, token: string | undefined): Promise<TokenInfo> {
  await refuseWhenLimited(request, services, limiter);
  const info = token === undefined ? undefined : await services.tokens.verify(token);
  if (info !== undefined) return info;
  await limiter?.(request);
  services.log.warn({ client: request.client.address, reason: token === undefined ? 'not a bearer token' : 'unknown, revoked or mistyped' }, 'admin api: bad token');
  if (token === undefined) throw unauthorized('the Authorization header must be "Bearer <token>"', 'invalid_token');
  throw unauthorized('the token is not valid: unknown, revoked or mistyped', 'invalid_token');
}

const sameSecret = (sent: string | string[] | undefined, expected: string) =>
  typeof sent === 'string' && sent.length === expected.length && timingSafeEqual(Buffer.from(sent), Buffer.from(expected));

/** The console session the cookie names with its live token, or 401; 403 `csrf` for a change without its CSRF token. */
export async function signedIn(request: FastifyRequest, services: ApiServices, limiter: FailureLimiter | undefined, id: string): Promise<{ session: ConsoleSession; token: TokenInfo }> {
  await refuseWhenLimited(request, services, limiter);
  const session = await services.sessions.use(id);
  const token = session && (await services.tokens.live(session.tokenId));
  if (session === undefined || token === undefined || token.createdAt !== session.tokenCreatedAt) {
    if (session !== undefined) await services.sessions.close(id);
    else await limiter?.(request);
    services.log.info({ client: request.client.address, reason: session === undefined ? 'no such session' : 'its token was revoked' }, 'admin api: console session refused');
    throw unauthorized('your console session has ended (signed out, idle too long, or its token was revoked): sign in again');
  }
  if (!SAFE_METHODS.has(request.method) && !sameSecret(request.headers[CSRF_HEADER], session.csrf)) {
    services.log.warn({ client: request.client.address, token: token.id, method: request.method, url: request.url }, 'admin api: console change without its CSRF token');
    throw new ApiError(403, { error: 'csrf', message: 'a change made in a console session must carry the session\'s X-CSRF-Token header' });
  }
  return { session, token };
}

/** The caller's token, from the Authorization header or the console session; 401 or 429 otherwise. */
async function authenticate(request: FastifyRequest, services: ApiServices, limiter: FailureLimiter | undefined): Promise<{ token: TokenInfo; via: string }> {
  const header = request.headers.authorization;
  if (header !== undefined) return { token: await checkToken(request, services, limiter, BEARER.exec(header)?.[1]), via: 'token' };
  const session = sessionIdOf(request);
  if (session !== undefined) return { token: (await signedIn(request, services, limiter, session)).token, via: 'console' };
  throw unauthorized('send Authorization: Bearer <token> (tokens are created with the sipwarden CLI), or sign in to the console');
}

/** Refuses with 403 unless `token` may manage `tenant` from the request's address (the tenant's `admin` allowlist). */
export function admit(request: FastifyRequest, services: ApiServices, token: TokenInfo, tenant: string): void {
  const { address } = request.client;
  const log = services.log;
  if (token.tenant !== ALL_TENANTS && token.tenant !== tenant) {
    log.warn({ token: token.id, tokenTenant: token.tenant, tenant, client: address }, 'admin api: token used for another tenant');
    throw forbidden(`token ${token.name} manages tenant ${token.tenant} only, not ${tenant}`);
  }
  const decision = services.policy.decide(tenant, 'admin', address);
  if (!decision.allow) {
    log.warn({ token: token.id, tenant, client: address, reason: decision.reason }, 'admin api: address not allowed by the admin allowlist');
    throw forbidden(`your address ${address} is not allowed by the admin allowlist of ${tenant} (${decision.reason})`);
  }
}

/** The caller as the audit log and the logs name it. */
function actorFor(request: FastifyRequest, token: TokenInfo, via: string): FastifyRequest['actor'] {
  const name = via === 'token' ? `${token.name} (token ${token.id})` : `${token.name} (token ${token.id}, console)`;
  return { name, address: request.client.address, adminLockoutIsFinal: true };
}

/** The onRequest hook of the /v1/tenants routes: sets `request.actor`, or refuses with 400, 401, 403 or 429. */
export function admitting(services: ApiServices, limiter: FailureLimiter | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    const { tenant } = request.params as { tenant: string };
    const { token, via } = await authenticate(request, services, limiter);
    if (!isValidTenant(tenant)) throw invalid('tenant', `${JSON.stringify(shownToken(tenant))} is not a valid tenant name`, shownToken(tenant));
    admit(request, services, token, tenant);
    request.actor = actorFor(request, token, via);
  };
}

/** The onRequest hook of the edge-wide routes (/v1/bans): sets `request.actor`, or refuses with 401, 403 (a tenant's token) or 429. */
export function admittingOperator(services: ApiServices, limiter: FailureLimiter | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    const { token, via } = await authenticate(request, services, limiter);
    if (token.tenant !== ALL_TENANTS) {
      services.log.warn({ token: token.id, tokenTenant: token.tenant, client: request.client.address, url: request.url }, 'admin api: tenant token used for an edge-wide route');
      throw forbidden(`token ${token.name} manages tenant ${token.tenant} only; the ban list is every tenant's (a banned source is dropped for all of them), so it takes a token for all tenants (*)`);
    }
    request.actor = actorFor(request, token, via);
  };
}
