/**
 * Every route the API serves. The OpenAPI document describes exactly these
 * (a test holds the two together).
 */
import type { Route } from './api-context.js';
import { AUDIT_ROUTE } from './audit-route.js';
import { AUTHORIZE_ROUTE } from './authorize-route.js';
import { ENTRY_ROUTES } from './entry-routes.js';
import { LIST_ROUTES } from './list-routes.js';
import { OPENAPI_DOCUMENT } from './openapi.js';
import { json } from './reply.js';
import { SCOPE_ROUTES } from './scope-routes.js';

export const OPENAPI_PATH = '/v1/openapi.json';

const OPENAPI_ROUTE: Route = {
  methods: ['GET'],
  path: OPENAPI_PATH,
  query: [],
  handle: () => Promise.resolve(json(200, OPENAPI_DOCUMENT)),
};

export const ROUTES: readonly Route[] = [OPENAPI_ROUTE, AUTHORIZE_ROUTE, ...SCOPE_ROUTES, ...ENTRY_ROUTES, ...LIST_ROUTES, AUDIT_ROUTE];
