/**
 * The two kinds of admin route. Each checks what all its routes share before
 * the handler runs, so no handler can forget it:
 * - tenant: token, tenant permission and the tenant's `admin` allowlist, then
 *   the query string; the handler gets the actor for ListAdmin;
 * - scope: a tenant route whose `{scope}` is checked too; its writes take
 *   turns per list.
 */
import { SCOPES, isScope } from '../../policy/index.js';
import { type ListId, listIdKey } from '../../store/keys.js';
import type { Actor } from '../list-admin.js';
import { admit } from './access.js';
import type { ApiContext, Route } from './api-context.js';
import { type Shape, type ShapeValue, readQuery, shownToken } from './fields.js';
import { type Reply, invalidReply } from './reply.js';

export interface TenantRequest extends ApiContext {
  readonly tenant: string;
  /** The caller for ListAdmin; `force` is the handler's to set from its query. */
  readonly actor: Actor;
}

export interface ScopeRequest extends TenantRequest {
  readonly list: ListId;
  /** Runs a write to this list after this process's earlier writes to it. */
  exclusive<T>(write: () => Promise<T>): Promise<T>;
}

export function tenantRoute<S extends Shape>(
  method: string,
  path: string,
  query: S,
  handle: (request: TenantRequest, query: ShapeValue<S>) => Promise<Reply>,
): Route {
  return {
    methods: [method],
    path,
    query: Object.keys(query),
    async handle(context) {
      const tenant = context.params.tenant!;
      const principal = await admit(context, tenant);
      if (!principal.ok) return principal.reply;
      const read = readQuery(context.query, query);
      if (!read.ok) return read.reply;
      const { name, id } = principal.value;
      const actor: Actor = { name: `${name} (token ${id})`, address: context.client.address, adminLockoutIsFinal: true };
      return handle({ ...context, tenant, actor }, read.value);
    },
  };
}

export function scopeRoute<S extends Shape>(
  method: string,
  path: string,
  query: S,
  handle: (request: ScopeRequest, query: ShapeValue<S>) => Promise<Reply>,
): Route {
  return tenantRoute(method, path, query, (request, parsed) => {
    const scope = request.params.scope!;
    if (!isScope(scope)) return Promise.resolve(invalidReply('scope', `unknown scope; expected one of ${SCOPES.join(', ')}`, shownToken(scope)));
    const list: ListId = { tenant: request.tenant, scope };
    const exclusive = <T>(write: () => Promise<T>) => request.services.writes.run(listIdKey(list), write);
    return handle({ ...request, list, exclusive }, parsed);
  });
}
