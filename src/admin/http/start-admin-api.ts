/**
 * The admin HTTP API and the authorization endpoint, on fastify. Options
 * come from the caller (src/config maps the environment to them); nothing
 * here reads the environment.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DEFAULT_FORWARDED_HEADER } from '../../policy/index.js';
import type { PolicyView } from '../../store/policy-view.js';
import type { ApiTokens } from '../api-tokens.js';
import type { BanAdmin } from '../ban-admin.js';
import type { ConsoleSessions } from '../console-sessions.js';
import type { DeniedAdmin } from '../denied-admin.js';
import type { ListAdmin } from '../list-admin.js';
import { type ServedRoute, buildAdminApp } from './admin-app.js';
import { apiMetrics } from './api-metrics.js';
import { compileForwardingTrust } from './client-address.js';
import { KeyedQueue } from './keyed-queue.js';

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
  /** Failed token checks a client address may make per window before every token check from it gets 429; 0 for no limit. */
  readonly authFailureLimit: number;
  /** That window, in milliseconds, counted from the first failure in it. */
  readonly authFailureWindowMs: number;
  /** A console session no request used for this long ends (milliseconds). */
  readonly consoleIdleMs: number;
}

export const ADMIN_API_DEFAULTS: AdminApiOptions = {
  host: '127.0.0.1',
  port: 8480,
  trustedProxies: '',
  clientAddressHeader: DEFAULT_FORWARDED_HEADER,
  // A 100,000-entry import with descriptions is about 5 MB.
  maxBodyBytes: 16 * 1024 * 1024,
  // A person mistyping a token gets a few tries; a token guesser ten a minute.
  authFailureLimit: 10,
  authFailureWindowMs: 60_000,
  // Half an hour: long enough to work through a list, short enough for a browser left open.
  consoleIdleMs: 30 * 60_000,
};

export interface AdminApiDeps {
  readonly admin: ListAdmin;
  readonly denied: DeniedAdmin;
  /** The edge-wide ban list (auto-ban). */
  readonly bans: BanAdmin;
  readonly tokens: ApiTokens;
  /** The console's sessions, with the idle expiry given. */
  readonly consoleSessions: (idleMs: number) => ConsoleSessions;
  /** The live policy cache: the `admin` allowlist of every request, and the authorization endpoint. */
  readonly policy: PolicyView;
  readonly logger: Logger;
  readonly registry: Registry;
}

export interface AdminApi {
  readonly address: string;
  readonly port: number;
  /** Every route served, as the server registered it. */
  readonly routes: readonly ServedRoute[];
  /** Stops accepting connections and resolves once the requests in flight are answered. */
  close(): Promise<void>;
}

export type AdminApiResult = { readonly ok: true; readonly api: AdminApi } | { readonly ok: false; readonly message: string };

function checkOptions(options: AdminApiOptions): string | undefined {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) return `port must be 0 to 65535, got ${options.port}`;
  if (!Number.isInteger(options.maxBodyBytes) || options.maxBodyBytes < 1) return `maxBodyBytes must be a positive whole number, got ${options.maxBodyBytes}`;
  if (!Number.isInteger(options.authFailureLimit) || options.authFailureLimit < 0) return `authFailureLimit must be a whole number, got ${options.authFailureLimit}`;
  if (!Number.isInteger(options.authFailureWindowMs) || options.authFailureWindowMs < 1) {
    return `authFailureWindowMs must be a positive whole number, got ${options.authFailureWindowMs}`;
  }
  if (!Number.isInteger(options.consoleIdleMs) || options.consoleIdleMs < 1000) return `consoleIdleMs must be a whole number of at least 1000, got ${options.consoleIdleMs}`;
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
  const sessions = deps.consoleSessions(settings.consoleIdleMs);
  const services = { admin: deps.admin, denied: deps.denied, bans: deps.bans, tokens: deps.tokens, sessions, policy: deps.policy, log, metrics: apiMetrics(deps.registry), writes: new KeyedQueue() };
  let built: Awaited<ReturnType<typeof buildAdminApp>>;
  try {
    built = await buildAdminApp({ ...settings, trust: trust.trust }, services);
  } catch (err) {
    return { ok: false, message: `admin api: ${(err as Error).message}` };
  }
  const { app, routes } = built;
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (err) {
    await app.close();
    return { ok: false, message: `admin api: cannot listen on ${settings.host}:${settings.port}: ${(err as Error).message}` };
  }
  const { address, port } = app.server.address() as AddressInfo;
  log.info({ address, port, trustedProxies: settings.trustedProxies || 'none', authFailureLimit: settings.authFailureLimit }, 'admin api listening');
  return { ok: true, api: { address, port, routes, close: () => app.close() } };
}
