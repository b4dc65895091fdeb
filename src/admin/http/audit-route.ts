/**
 * A tenant's audit log, newest first: who changed which list, when, from
 * which address, with the list before and after.
 */
import { SCOPES } from '../../policy/index.js';
import { AUDIT_LENGTH } from '../../store/audit-log.js';
import type { Route } from './api-context.js';
import { integer, oneOf, optional, withDefault } from './fields.js';
import { json } from './reply.js';
import { tenantRoute } from './route-kinds.js';

export const DEFAULT_AUDIT_LIMIT = 100;

export const AUDIT_ROUTE: Route = tenantRoute(
  'GET',
  '/v1/tenants/{tenant}/audit',
  { scope: optional(oneOf(SCOPES)), limit: withDefault(integer(1, AUDIT_LENGTH), DEFAULT_AUDIT_LIMIT) },
  async ({ tenant, services }, { scope, limit }) => {
    // With a scope filter, read the whole (bounded) log so `limit` counts matching records.
    const records = await services.admin.audit(tenant, scope === undefined ? limit : AUDIT_LENGTH);
    const shown = scope === undefined ? records : records.filter((r) => r.scope === scope).slice(0, limit);
    return json(200, { tenant, records: shown });
  },
);
