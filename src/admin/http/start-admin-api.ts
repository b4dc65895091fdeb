/**
 * The admin HTTP API and the authorization endpoint, on node:http. Options
 * come from the caller (src/config maps the environment to them); nothing
 * here reads the environment.
 */
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PolicyView } from '../../store/policy-view.js';
import type { ApiTokens } from '../api-tokens.js';
import type { ListAdmin } from '../list-admin.js';
import type { ApiServices } from './api-context.js';
import { apiMetrics } from './api-metrics.js';
import { AUTHORIZE_PATH } from './authorize-route.js';
import { bodyReader } from './body.js';
import { type ClientAddress, type ForwardingTrust, clientAddressOf, compileForwardingTrust } from './client-address.js';
import { KeyedQueue } from './keyed-queue.js';
import { INTERNAL_ERROR, type Reply, invalidReply, send } from './reply.js';
import { Router } from './router.js';
import { ROUTES } from './routes.js';

export interface AdminApiOptions {
  /** Address to listen on. */
  readonly host: string;
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** CIDR list of the proxies whose client-address header is believed; empty trusts none. */
  readonly trustedProxies: string;
  /** The header a trusted proxy puts the client address in (X-Forwarded-For syntax). */
  readonly clientAddressHeader: string;
  /** Largest request body accepted; larger ones get 413. */
  readonly maxBodyBytes: number;
}

export const ADMIN_API_DEFAULTS: AdminApiOptions = {
  host: '127.0.0.1',
  port: 8480,
  trustedProxies: '',
  clientAddressHeader: 'X-Forwarded-For',
  // A 100,000-entry import with descriptions is about 5 MB.
  maxBodyBytes: 16 * 1024 * 1024,
};

export interface AdminApiDeps {
  readonly admin: ListAdmin;
  readonly tokens: ApiTokens;
  /** The live policy cache: the `admin` allowlist of every request, and the authorization endpoint. */
  readonly policy: PolicyView;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface AdminApi {
  readonly address: string;
  readonly port: number;
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}

export type AdminApiResult = { readonly ok: true; readonly api: AdminApi } | { readonly ok: false; readonly message: string };

interface Served {
  readonly router: Router;
  readonly services: ApiServices;
  readonly trust: ForwardingTrust;
  readonly maxBodyBytes: number;
}

async function answer(req: IncomingMessage, method: string, served: Served, client: ClientAddress): Promise<{ reply: Reply; route: string }> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://sipwarden.invalid');
  } catch {
    return { reply: invalidReply('path', 'the request target is not a valid path'), route: 'unmatched' };
  }
  const match = served.router.match(method, url.pathname);
  if (!match.ok) return { reply: match.reply, route: 'unmatched' };
  const { route, params } = match.value;
  const body = bodyReader(req, served.maxBodyBytes);
  const reply = await route.handle({ method, params, query: url.searchParams, headers: req.headers, client, body, services: served.services });
  return { reply, route: route.path };
}

async function serve(req: IncomingMessage, res: ServerResponse, served: Served): Promise<void> {
  const started = performance.now();
  const { log, metrics } = served.services;
  const method = req.method ?? 'GET';
  const client = clientAddressOf(req.socket.remoteAddress, req.headers, served.trust);
  if (client.ignoredHeader !== undefined) {
    metrics.ignoredForwarded.inc();
    log.warn({ peer: client.address, header: client.ignoredHeader }, 'client address header from an untrusted peer ignored (spoof attempt?)');
  }
  let outcome: { reply: Reply; route: string };
  try {
    outcome = await answer(req, method, served, client);
  } catch (err) {
    log.error({ err, method, url: req.url, client: client.address }, 'admin api request failed');
    outcome = { reply: INTERNAL_ERROR, route: 'failed' };
  }
  const { reply, route } = outcome;
  send(res, reply);
  metrics.requests.inc({ method, route, status: String(reply.status) });
  // Authorization answers are traffic, not admin activity: keep them out of the info log.
  const quiet = route === AUTHORIZE_PATH || (method === 'GET' && reply.status < 400);
  log[quiet ? 'debug' : 'info'](
    { method, url: req.url, status: reply.status, client: client.address, ms: Math.round(performance.now() - started) },
    'admin api request',
  );
}

function checkOptions(options: AdminApiOptions): string | undefined {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) return `port must be 0 to 65535, got ${options.port}`;
  if (!Number.isInteger(options.maxBodyBytes) || options.maxBodyBytes < 1) return `maxBodyBytes must be a positive whole number, got ${options.maxBodyBytes}`;
  return undefined;
}

export async function startAdminApi(options: Partial<AdminApiOptions>, deps: AdminApiDeps): Promise<AdminApiResult> {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const settings: AdminApiOptions = { ...ADMIN_API_DEFAULTS, ...given };
  const invalid = checkOptions(settings);
  if (invalid !== undefined) return { ok: false, message: `admin api: ${invalid}` };
  const trust = compileForwardingTrust(settings.trustedProxies, settings.clientAddressHeader);
  if (!trust.ok) return { ok: false, message: `admin api: ${trust.message}` };
  const log = deps.logger.child({ component: 'admin-api' });
  const served: Served = {
    router: new Router(ROUTES),
    services: { admin: deps.admin, tokens: deps.tokens, policy: deps.policy, log, metrics: apiMetrics(deps.registry), writes: new KeyedQueue() },
    trust: trust.trust,
    maxBodyBytes: settings.maxBodyBytes,
  };
  const server = createServer((req, res) => {
    serve(req, res, served).catch((err: unknown) => log.error({ err }, 'admin api could not answer'));
  });
  const listening = await new Promise<string | undefined>((resolve) => {
    server.once('error', (err: Error) => resolve(err.message));
    server.listen(settings.port, settings.host, () => resolve(undefined));
  });
  if (listening !== undefined) return { ok: false, message: `admin api: cannot listen on ${settings.host}:${settings.port}: ${listening}` };
  const { address, port } = server.address() as AddressInfo;
  log.info({ address, port, trustedProxies: settings.trustedProxies || 'none' }, 'admin api listening');
  return {
    ok: true,
    api: {
      address,
      port,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    },
  };
}
