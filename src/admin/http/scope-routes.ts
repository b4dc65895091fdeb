/**
 * A tenant's scopes: show them (one or all, entries filtered), switch one on
 * or off, check an address against one, export one.
 */
import { SCOPES, parseAddress } from '../../policy/index.js';
import type { ListState } from '../../store/list-state.js';
import type { Route } from './api-context.js';
import { readJson } from './body.js';
import { EXPORT_FORMATS, exportReply } from './export-format.js';
import { type Reader, boolean, oneOf, optional, shownToken, text, withDefault } from './fields.js';
import { FILTER_SHAPE, FORCE } from './inputs.js';
import { badRequest, failureReply, json } from './reply.js';
import { scopeRoute, tenantRoute } from './route-kinds.js';

const SCOPE_PATH = '/v1/tenants/{tenant}/scopes/{scope}';

/** A list as the API shows it; the fingerprint is the store's business. */
function listView({ fingerprint: _fingerprint, ...view }: ListState) {
  return view;
}

const scratch = new Uint32Array(4);
const ipAddress: Reader<string> = (value, field) => {
  const read = text(64)(value, field);
  if (!read.ok || parseAddress(read.value, scratch) !== 0) return read;
  return badRequest(field, `${field} must be an IPv4 or IPv6 address`, shownToken(value));
};

export const SCOPE_ROUTES: readonly Route[] = [
  tenantRoute('GET', '/v1/tenants/{tenant}/scopes', {}, async ({ tenant, services }) => {
    const shown = await Promise.all(SCOPES.map((scope) => services.admin.show({ tenant, scope })));
    const scopes = shown.map((result, i) =>
      result.ok ? listView(result.value) : { tenant, scope: SCOPES[i]!, error: result.failure.kind, message: result.failure.message },
    );
    return json(200, { tenant, scopes });
  }),

  scopeRoute('GET', SCOPE_PATH, FILTER_SHAPE, async ({ list, services }, filter) => {
    const shown = await services.admin.show(list, filter);
    return shown.ok ? json(200, listView(shown.value)) : failureReply(shown.failure, 'scope');
  }),

  scopeRoute('PUT', SCOPE_PATH, FORCE, async (request, { force }) => {
    const body = await readJson(request.body, { enabled: boolean });
    if (!body.ok) return body.reply;
    const { enabled } = body.value;
    const written = await request.exclusive(() => request.services.admin.setEnabled({ ...request.actor, force }, request.list, enabled));
    return written.ok ? json(200, { ...request.list, enabled, rev: written.value.rev }) : failureReply(written.failure, 'enabled');
  }),

  scopeRoute('GET', `${SCOPE_PATH}/check`, { ip: optional(ipAddress) }, async ({ list, client, services }, { ip }) => {
    // Without ?ip the caller's own address: "would I get in?"
    const address = ip ?? client.address;
    const decision = await services.admin.check(list, address);
    return decision.ok ? json(200, { ...list, ip: address, ...decision.value }) : failureReply(decision.failure, 'scope');
  }),

  scopeRoute('GET', `${SCOPE_PATH}/export`, { format: withDefault(oneOf(EXPORT_FORMATS), 'json'), ...FILTER_SHAPE }, async ({ list, services }, query) => {
    const { format, ...filter } = query;
    const shown = await services.admin.show(list, filter);
    return shown.ok ? exportReply(shown.value, format) : failureReply(shown.failure, 'scope');
  }),
];
