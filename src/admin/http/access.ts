/**
 * Who may call a tenant's admin routes: a bearer token for that tenant (or
 * for all tenants, `*`), from an address the tenant's `admin` allowlist
 * allows, decided by the live policy cache like every other enforcement point.
 */
import { isValidTenant } from '../../store/keys.js';
import { ALL_TENANTS, type TokenInfo } from '../api-tokens.js';
import type { ApiContext } from './api-context.js';
import { shownToken } from './fields.js';
import { type Outcome, badRequest, errorReply, ok, refuse } from './reply.js';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function unauthorized(message: string, error?: 'invalid_token'): Outcome<never> {
  const challenge = error ? `Bearer realm="sipwarden", error="${error}"` : 'Bearer realm="sipwarden"';
  return refuse(errorReply(401, { error: 'unauthorized', message }, { 'www-authenticate': challenge }));
}

const forbidden = (message: string): Outcome<never> => refuse(errorReply(403, { error: 'forbidden', message }));

/** The caller's token, or 401. */
async function authenticate(context: ApiContext): Promise<Outcome<TokenInfo>> {
  const header = context.headers.authorization;
  if (header === undefined) return unauthorized('send Authorization: Bearer <token> (tokens are created with the sipwarden CLI)');
  const token = BEARER.exec(header)?.[1];
  if (token === undefined) return unauthorized('the Authorization header must be "Bearer <token>"', 'invalid_token');
  const info = await context.services.tokens.verify(token);
  return info ? ok(info) : unauthorized('the token is not valid: unknown, revoked or mistyped', 'invalid_token');
}

/** The caller's token once it may manage `tenant` from its address; otherwise 400, 401 or 403. */
export async function admit(context: ApiContext, tenant: string): Promise<Outcome<TokenInfo>> {
  const principal = await authenticate(context);
  if (!principal.ok) return principal;
  if (!isValidTenant(tenant)) return badRequest('tenant', `${JSON.stringify(shownToken(tenant))} is not a valid tenant name`, shownToken(tenant));
  const { id, name } = principal.value;
  const { address } = context.client;
  const log = context.services.log;
  if (principal.value.tenant !== ALL_TENANTS && principal.value.tenant !== tenant) {
    log.warn({ token: id, tokenTenant: principal.value.tenant, tenant, client: address }, 'admin api: token used for another tenant');
    return forbidden(`token ${name} manages tenant ${principal.value.tenant} only, not ${tenant}`);
  }
  const decision = context.services.policy.decide(tenant, 'admin', address);
  if (!decision.allow) {
    log.warn({ token: id, tenant, client: address, reason: decision.reason }, 'admin api: address not allowed by the admin allowlist');
    return forbidden(`your address ${address} is not allowed by the admin allowlist of ${tenant} (${decision.reason})`);
  }
  return principal;
}
