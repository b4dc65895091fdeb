/**
 * The console's sign-in: an API token exchanged for a session (a cookie the
 * page's scripts cannot read, and a CSRF token they send back with every
 * change), read back when the page loads, and ended on sign-out. The token
 * travels once, in the body of the sign-in request; it is neither kept by
 * the browser nor put in a URL. A tenant's token signs in only from an
 * address its tenant's `admin` allowlist allows.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenInfo } from '../api-tokens.js';
import { ALL_TENANTS } from '../api-tokens.js';
import type { ConsoleSession } from '../console-sessions.js';
import { type FailureLimiter, admit, checkToken, signedIn } from './access.js';
import type { ApiServices } from './api-context.js';
import { ApiError } from './errors.js';
import { NoQuery, SessionInfo, SignIn, errorResponses } from './schemas.js';
import { clearSessionCookie, sessionIdOf, setSessionCookie } from './session-cookie.js';
import { type ApiApp, typed } from './tenant-routes.js';

export const SESSION_PATH = '/v1/session';
const tags = ['session'];

function infoOf(request: FastifyRequest, services: ApiServices, token: TokenInfo, session: ConsoleSession) {
  const idleSeconds = Math.round(services.sessions.idleMs / 1000);
  return { tenant: token.tenant, tokenId: token.id, tokenName: token.name, address: request.client.address, csrf: session.csrf, idleSeconds };
}

/** The session the cookie names, or 401; 403 from an address its tenant's `admin` allowlist does not allow (as at sign-in). */
async function current(request: FastifyRequest, services: ApiServices, limiter: FailureLimiter | undefined) {
  const id = sessionIdOf(request);
  // Its own error: a page loading with no session yet is no failure worth showing.
  if (id === undefined) throw new ApiError(401, { error: 'signed-out', message: 'not signed in: sign in with an API token' });
  const opened = await signedIn(request, services, limiter, id);
  if (opened.token.tenant !== ALL_TENANTS) admit(request, services, opened.token, opened.token.tenant);
  return { id, ...opened };
}

export function sessionRoutes(services: ApiServices, limiter: FailureLimiter | undefined) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app: ApiApp = typed(plain);
    app.post(
      SESSION_PATH,
      {
        schema: {
          operationId: 'signIn',
          tags,
          summary: 'Open a console session with an API token',
          description: 'Sets the HttpOnly, SameSite=Strict session cookie. Failed token checks count like any other. A tenant token needs an address its admin allowlist allows.',
          querystring: NoQuery,
          body: SignIn,
          security: [],
          response: { 201: SessionInfo, ...errorResponses(413, 415) },
        },
      },
      async (request, reply) => {
        const token = await checkToken(request, services, limiter, request.body.token);
        if (token.tenant !== ALL_TENANTS) admit(request, services, token, token.tenant);
        const { id, session } = await services.sessions.open(token);
        services.log.info({ token: token.id, tenant: token.tenant, client: request.client.address }, 'admin console: signed in');
        setSessionCookie(request, reply, id);
        return reply.code(201).send(infoOf(request, services, token, session));
      },
    );

    app.get(
      SESSION_PATH,
      {
        schema: {
          operationId: 'readSession',
          tags,
          summary: 'The console session the cookie names',
          querystring: NoQuery,
          security: [],
          response: { 200: SessionInfo, ...errorResponses() },
        },
      },
      async (request) => {
        const { token, session } = await current(request, services, limiter);
        return infoOf(request, services, token, session);
      },
    );

    app.delete(
      SESSION_PATH,
      {
        schema: {
          operationId: 'signOut',
          tags,
          summary: 'End the console session (needs its X-CSRF-Token)',
          querystring: NoQuery,
          security: [],
          response: { 204: { type: 'null', description: 'Signed out.' }, ...errorResponses() },
        },
      },
      async (request, reply) => {
        const { id, token } = await current(request, services, limiter);
        await services.sessions.close(id);
        services.log.info({ token: token.id, client: request.client.address }, 'admin console: signed out');
        clearSessionCookie(request, reply);
        return reply.code(204).send(null);
      },
    );
  };
}
