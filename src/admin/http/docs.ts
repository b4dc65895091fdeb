/**
 * The API's documentation, generated from the route schemas: the OpenAPI 3.1
 * document at GET /v1/openapi.json, and an interactive reference (Swagger
 * UI, its assets served from the package, nothing from a CDN) at /v1/docs.
 * Registered before the routes, which it collects as they are added; the
 * reference's own routes are hidden from the document.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { components } from './schemas.js';
import { SESSION_COOKIE } from './session-cookie.js';

export const OPENAPI_PATH = '/v1/openapi.json';
export const DOCS_PATH = '/v1/docs';

/**
 * The reference page's CSP: its scripts, styles and images from this server
 * only, requests ("Try it out") to it alone. The API's own answers get a
 * stricter one (default-src 'none').
 */
const DOCS_CSP =
  "default-src 'none'; base-uri 'none'; connect-src 'self'; font-src 'self' data:; form-action 'none'; frame-ancestors 'none'; " +
  "img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'";

const DESCRIPTION =
  "Manage each tenant's allowlists (scopes sip, webrtc, admin, recordings) and ask whether an address is allowed. " +
  'Every /v1/tenants route needs a bearer token for that tenant (or for all tenants), or a console session opened with one (its cookie, and X-CSRF-Token on every change), ' +
  'and a client address allowed by the admin scope of the tenant; ' +
  'too many failed token checks from one address are answered 429 for a while. ' +
  'Errors are JSON objects with error, message, and for bad input the field and token at fault; ' +
  'an unknown path answers 404, a method a path does not serve 405 with Allow.';

export async function documentation(app: FastifyInstance): Promise<void> {
  for (const schema of components()) app.addSchema(schema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'sipwarden admin API', version: '1', description: DESCRIPTION },
      security: [{ bearer: [] }, { session: [] }],
      tags: [{ name: 'scopes' }, { name: 'entries' }, { name: 'audit' }, { name: 'denied' }, { name: 'bans' }, { name: 'session' }, { name: 'authorization' }, { name: 'meta' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'swd_<id>_<secret>', description: 'Created and revoked with the sipwarden CLI.' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'A console session (POST /v1/session); changes also need its X-CSRF-Token header.' },
        },
      },
    },
    // Components keep their names: #/components/schemas/Entry, not def-3.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    convertConstToEnum: false,
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PATH, staticCSP: DOCS_CSP, uiConfig: { deepLinking: false } });
  app.get(
    OPENAPI_PATH,
    {
      schema: {
        operationId: 'getOpenApi',
        tags: ['meta'],
        summary: 'This document',
        security: [],
        response: { 200: Type.Object({}, { additionalProperties: true, description: 'The OpenAPI document.' }) },
      },
    },
    async () => app.swagger(),
  );
}
