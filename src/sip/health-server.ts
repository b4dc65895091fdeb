/**
 * The edge's HTTP endpoint for orchestrators and Prometheus:
 * - `GET /health`: 200 when ready (drachtio-server connected and the lists
 *   loaded), else 503; the body says which part is missing. Lists that are
 *   loaded but may be out of date (the store lost its data) make it 503
 *   `degraded` with the reason: the edge still enforces them, and an
 *   orchestrator should route new traffic to an edge without the problem.
 * - `GET /metrics`: the prom-client registry in the Prometheus text format.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { whenBound } from './bound.js';

export interface Readiness {
  readonly drachtio: boolean;
  readonly lists: boolean;
  /** Why the edge is degraded though ready, e.g. `store-data-lost`. */
  readonly problem?: string | undefined;
}

export interface HealthServerOptions {
  /** Default all addresses. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
}

export type HealthServerResult =
  | { readonly ok: true; readonly server: Server; readonly port: number }
  | { readonly ok: false; readonly message: string };

export async function startHealthServer(
  options: HealthServerOptions,
  readiness: () => Readiness,
  registry: Registry,
  logger: Logger,
): Promise<HealthServerResult> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/health') {
      const { drachtio, lists, problem } = readiness();
      const status = !drachtio || !lists ? 'not-ready' : problem !== undefined ? 'degraded' : 'ready';
      res.writeHead(status === 'ready' ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status, drachtio, lists, ...(problem !== undefined && { reason: problem }) }));
    } else if (path === '/metrics') {
      registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (error: unknown) => {
          logger.error({ err: error }, 'could not collect metrics');
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(options.port, options.host);
  const bound = await whenBound(server, `serve /health and /metrics on ${options.host ?? '*'}:${options.port}`, logger);
  return bound.ok ? { ok: true, server, port: (server.address() as AddressInfo).port } : bound;
}
