/**
 * A tenant's audit log, newest first: who changed which list, when, from
 * which address, with the list before and after.
 */
import { AUDIT_LENGTH } from '../../store/audit-log.js';
import type { ApiServices } from './api-context.js';
import { AuditPage, AuditQuery, DEFAULT_AUDIT_LIMIT, TenantParams, errorResponses } from './schemas.js';
import type { ApiApp } from './tenant-routes.js';

export function auditRoute(app: ApiApp, services: ApiServices): void {
  app.get(
    '/v1/tenants/:tenant/audit',
    {
      schema: {
        operationId: 'readAudit',
        tags: ['audit'],
        summary: "The tenant's changes, newest first",
        params: TenantParams,
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses() },
      },
    },
    async (request) => {
      const { tenant } = request.params;
      const { scope, limit = DEFAULT_AUDIT_LIMIT } = request.query;
      // With a scope filter, read the whole (bounded) log so `limit` counts matching records.
      const records = await services.admin.audit(tenant, scope === undefined ? limit : AUDIT_LENGTH);
      const shown = scope === undefined ? records : records.filter((r) => r.scope === scope).slice(0, limit);
      return { tenant, records: shown };
    },
  );
}
