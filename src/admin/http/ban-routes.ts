/**
 * The edge's ban list (issue 14's auto-ban) over HTTP: GET /v1/bans and
 * DELETE /v1/bans/{address}, the API's `sipwarden bans` and `unban`. The
 * list is every tenant's, so these routes sit in a context of their own
 * whose hook admits a token for all tenants only (access.ts).
 */
import type { FastifyInstance } from 'fastify';
import { notAnAddress, shownBan } from '../ban-admin.js';
import { type FailureLimiter, admittingOperator } from './access.js';
import type { ApiServices } from './api-context.js';
import { failure, invalid, shownToken } from './errors.js';
import { BanPage, BanParams, NoQuery, Unbanned, errorResponses } from './schemas.js';
import { typed } from './tenant-routes.js';

const tags = ['bans'];

export function banRoutes(services: ApiServices, limiter: FailureLimiter | undefined) {
  return async (plain: FastifyInstance): Promise<void> => {
    plain.addHook('onRequest', admittingOperator(services, limiter));
    const app = typed(plain);
    app.get(
      '/v1/bans',
      {
        schema: {
          operationId: 'listBans',
          tags,
          summary: 'The banned sources: until when, why, by which edge',
          description: 'Edge-wide: a token for all tenants (*) only.',
          querystring: NoQuery,
          response: { 200: BanPage, ...errorResponses() },
        },
      },
      async () => ({ bans: (await services.bans.list()).map(shownBan) }),
    );

    app.delete(
      '/v1/bans/:address',
      {
        schema: {
          operationId: 'unban',
          tags,
          summary: 'Lift the ban of a source now',
          description: 'Edge-wide: a token for all tenants (*) only. The address as GET /v1/bans lists it; 404 when it is not banned.',
          params: BanParams,
          querystring: NoQuery,
          response: { 200: Unbanned, ...errorResponses(404) },
        },
      },
      async (request) => {
        const { address } = request.params;
        const problem = notAnAddress(address);
        if (problem !== undefined) throw invalid('address', problem, shownToken(address));
        const lifted = await services.bans.unban(address);
        if (!lifted.ok) throw failure(lifted.failure, 'address');
        // The ban list has no audit log of its own (the audit is per tenant and list): the log line is the record.
        services.log.info({ address: lifted.value.address, actor: request.actor.name, client: request.actor.address }, 'admin api: ban lifted');
        return lifted.value;
      },
    );
  };
}
