/**
 * The admin API as a fastify server: what every request goes through before
 * and after its route, and how fastify's own refusals are answered in the
 * API's error shape.
 *
 * Every request: security headers (helmet; a JSON API, so the strictest
 * CSP, relaxed only on the /v1/docs page), the client address (trusted-proxy
 * aware), then its route's context: the /v1/tenants routes check the token
 * and the admin allowlist (the /v1/bans routes: a token for all tenants),
 * then the media type (415) and size (413) of the body, then the schema
 * (400). Every answer: `no-store`, a metric and a log line. Anything
 * unexpected answers 500 with no detail; the cause is logged.
 */
import helmet from '@fastify/helmet';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { ApiServices } from './api-context.js';
import { AUTHORIZE_PATH, authorizeRoutes } from './authorize-route.js';
import { banRoutes } from './ban-routes.js';
import { readBodies } from './body.js';
import { type ForwardingTrust, clientAddressOf } from './client-address.js';
import { documentation } from './docs.js';
import { ApiError, INTERNAL_ERROR, invalid } from './errors.js';
import { consoleRoutes } from './console-route.js';
import { sessionRoutes } from './session-routes.js';
import { tenantRoutes } from './tenant-routes.js';
import { schemaErrorFormatter, validatorCompiler } from './validation.js';

export interface AdminAppSettings {
  readonly trust: ForwardingTrust;
  readonly maxBodyBytes: number;
  /** Failed token checks an address may make per window; 0 for no limit. */
  readonly authFailureLimit: number;
  readonly authFailureWindowMs: number;
}

/** A route the server serves, as fastify registered it; `hidden` ones are left out of the OpenAPI document. */
export interface ServedRoute {
  readonly method: string;
  /** OpenAPI style: `/v1/tenants/{tenant}/audit`. */
  readonly path: string;
  readonly hidden: boolean;
}

/** The methods a 405's Allow header may list. */
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** fastify's `/v1/tenants/:tenant/scopes/:scope/entries::import` as `/v1/tenants/{tenant}/scopes/{scope}/entries:import`. */
const openApiPath = (url: string) => url.replace(/::|:(\w+)/g, (colon, name?: string) => (name === undefined ? ':' : `{${name}}`));

/**
 * A path segment that is not valid percent-encoding is taken literally (its
 * `%` escaped), so the route's own checks refuse it, after the token check,
 * naming the parameter: `…/entries/10.0.0.0%2` is the entry `10.0.0.0%2`.
 */
function literalBadEscapes(url: string): string {
  if (!url.includes('%')) return url;
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  const segments = path.split('/').map((segment) => {
    try {
      decodeURIComponent(segment);
      return segment;
    } catch {
      return segment.replaceAll('%', '%25');
    }
  });
  return segments.join('/') + (query < 0 ? '' : url.slice(query));
}

/** fastify's own refusals (body too large, bad length, …) in the API's shape; undefined for a failure of ours. */
function refusalOf(error: FastifyError, maxBodyBytes: number): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError(413, { error: 'too-large', message: `the body is larger than ${maxBodyBytes} bytes` });
  if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return invalid('body', 'the body is not as long as its Content-Length says');
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return invalid('body', error.code?.startsWith('FST_ERR_CTP') ? error.message : 'the upload was interrupted');
  return undefined;
}

export async function buildAdminApp(settings: AdminAppSettings, services: ApiServices): Promise<{ app: FastifyInstance; routes: readonly ServedRoute[] }> {
  const { log, metrics } = services;
  const app = Fastify({
    logger: false,
    bodyLimit: settings.maxBodyBytes,
    // HEAD is served where a route says so (the authorization endpoint), like any method.
    exposeHeadRoutes: false,
    // Tenant names are up to 253 characters.
    routerOptions: { maxParamLength: 1024 },
    // As node:http has it: a request has five minutes (a 100,000-entry import takes seconds).
    requestTimeout: 300_000,
    // Requests that arrive while the server closes are answered like any other, not with fastify's 503.
    return503OnClosing: false,
    rewriteUrl: (req) => literalBadEscapes(req.url ?? '/'),
    schemaErrorFormatter,
  });
  app.setValidatorCompiler(validatorCompiler);
  const routes: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, path: openApiPath(route.url), hidden: route.schema?.hide === true });
  });

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] } },
  });
  app.decorateRequest('client', null as never);
  app.decorateRequest('actor', null as never);
  app.addHook('onRequest', async (request) => {
    request.client = clientAddressOf(request.raw.socket.remoteAddress, request.headers, settings.trust);
    const { address, ignoredHeader } = request.client;
    if (ignoredHeader !== undefined) {
      metrics.ignoredForwarded.inc();
      log.warn({ peer: address, header: ignoredHeader }, 'client address header from an untrusted peer ignored (spoof attempt?)');
    }
  });
  app.addHook('onSend', async (_request, reply) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onResponse', async (request, reply) => {
    const { method } = request;
    const route = request.is404 ? 'unmatched' : openApiPath(request.routeOptions.url ?? '');
    const status = reply.statusCode;
    metrics.requests.inc({ method, route, status: String(status) });
    // Authorization answers are traffic, not admin activity: keep them out of the info log.
    const quiet = route === AUTHORIZE_PATH || (method === 'GET' && status < 400);
    log[quiet ? 'debug' : 'info']({ method, url: request.url, status, client: request.client.address, ms: Math.round(reply.elapsedTime) }, 'admin api request');
  });
  readBodies(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = refusalOf(error, settings.maxBodyBytes);
    if (refusal !== undefined) return reply.code(refusal.statusCode).headers(refusal.headers).send(refusal.body);
    log.error({ err: error, method: request.method, url: request.url, client: request.client?.address }, 'admin api request failed');
    return reply.code(500).send(INTERNAL_ERROR);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    // A route that exists for this method found nothing (a missing file of the docs): a plain 404.
    if (allowed.length > 0 && !(allowed as readonly string[]).includes(request.method)) {
      const message = `${request.method} is not allowed here; use ${allowed.join(', ')}`;
      return reply.code(405).header('allow', allowed.join(', ')).send({ error: 'method-not-allowed', message });
    }
    const hint = path.includes('/entries/') ? ' (write the / of an entry as %2F: 10.0.0.0%2F8)' : '';
    return reply.code(404).send({ error: 'not-found', message: `no such resource: ${path}${hint}` });
  });

  await app.register(rateLimit, { global: false });
  const limiter =
    settings.authFailureLimit > 0
      ? app.createRateLimit({ max: settings.authFailureLimit, timeWindow: settings.authFailureWindowMs, keyGenerator: (request) => normalizeIP(request.client.address) })
      : undefined;

  await documentation(app);
  await app.register(authorizeRoutes(services));
  await app.register(sessionRoutes(services, limiter));
  await app.register(consoleRoutes);
  await app.register(tenantRoutes(services, limiter));
  await app.register(banRoutes(services, limiter));
  await app.ready();
  return { app, routes };
}
