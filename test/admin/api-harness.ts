/**
 * The admin API as it runs: a redis-server of the test's own, the live list
 * cache following it, ListAdmin and ApiTokens on it, and the API on a free
 * loopback port, called over real HTTP. The API trusts 127.0.0.1 as a proxy
 * by default, so a test plays any client address with X-Forwarded-For.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect } from 'vitest';
import { ALL_TENANTS, type ApiTokens } from '../../src/admin/api-tokens.js';
import { type AdminApi, type AdminApiOptions, startAdminApi } from '../../src/admin/http/start-admin-api.js';
import type { BanAdmin } from '../../src/admin/ban-admin.js';
import type { ConsoleSessions } from '../../src/admin/console-sessions.js';
import type { DeniedAdmin } from '../../src/admin/denied-admin.js';
import type { ListAdmin } from '../../src/admin/list-admin.js';
import { openAdminStore } from '../../src/admin/open-admin.js';
import type { RedisStoreConfig } from '../../src/config/store-config.js';
import type { CountryLookup, Scope } from '../../src/policy/index.js';
import type { ListCache } from '../../src/store/list-cache.js';
import type { ListState } from '../../src/store/list-state.js';
import { startCache } from '../../src/store/start-cache.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';

export interface CallOptions {
  readonly token?: string;
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as is, with `type` (text/plain by default). */
  readonly text?: string;
  readonly type?: string;
  /** The client address to play, through X-Forwarded-For from the trusted proxy 127.0.0.1. */
  readonly from?: string;
  readonly headers?: Record<string, string>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly body: any;
}

export class ApiClient {
  constructor(
    readonly api: AdminApi,
    readonly registry: Registry,
  ) {}

  get base(): string {
    return `http://127.0.0.1:${this.api.port}`;
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.from !== undefined) headers['x-forwarded-for'] = options.from;
    let body: string | undefined;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = options.type ?? 'application/json';
    } else if (options.text !== undefined) {
      body = options.text;
      headers['content-type'] = options.type ?? 'text/plain';
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
    return { status: response.status, headers: response.headers, text, body: isJson ? JSON.parse(text) : undefined };
  }
}

export class ApiStack {
  readonly logs = capturingLogger();
  private readonly clients: ApiClient[] = [];
  private readonly closing: Array<() => unknown> = [];

  private constructor(
    readonly redis: RedisServer,
    readonly config: RedisStoreConfig,
    readonly cache: ListCache,
    readonly admin: ListAdmin,
    readonly denied: DeniedAdmin,
    readonly bans: BanAdmin,
    readonly tokens: ApiTokens,
    readonly consoleSessions: (idleMs: number) => ConsoleSessions,
  ) {}

  /**
   * Redis, the live cache and the admin store, each opened the way a
   * deployment opens them; `countries` is the country data both decide with
   * (none by default).
   */
  static async start(countries?: CountryLookup): Promise<ApiStack> {
    const redis = await RedisServer.start();
    const config: RedisStoreConfig = { kind: 'redis', prefix: 'sipwarden', reconcileMs: 5000, connection: { url: redis.url, commandTimeoutMs: 60_000 } };
    const { logger } = capturingLogger();
    const running = await startCache(config, logger, new Registry(), countries);
    const store = await openAdminStore(config, logger, 2000, countries && (() => countries));
    if (store === undefined) throw new Error('admin store did not connect');
    const stack = new ApiStack(redis, config, running.cache, store.admin, store.denied, store.bans, store.tokens, store.consoleSessions);
    stack.closing.push(() => store.close(), () => running.close());
    return stack;
  }

  /** Another admin store on a connection of its own, as another API process would have. */
  async separateAdmin(): Promise<ListAdmin> {
    const store = await openAdminStore(this.config, this.logs.logger, 2000);
    if (store === undefined) throw new Error('admin store did not connect');
    this.closing.push(() => store.close());
    return store.admin;
  }

  async api(options: Partial<AdminApiOptions> = {}, admin: ListAdmin = this.admin): Promise<ApiClient> {
    const registry = new Registry();
    const started = await startAdminApi(
      { host: '127.0.0.1', port: 0, trustedProxies: '127.0.0.1/32', ...options },
      { admin, denied: this.denied, bans: this.bans, tokens: this.tokens, consoleSessions: this.consoleSessions, policy: this.cache, logger: this.logs.logger, registry },
    );
    if (!started.ok) throw new Error(started.message);
    const client = new ApiClient(started.api, registry);
    this.clients.push(client);
    return client;
  }

  /** A fresh token for `tenant` (or all tenants). */
  async token(tenant: string = ALL_TENANTS, name = `test-${tenant}`): Promise<string> {
    return (await this.tokens.create(tenant, name, 'test')).token;
  }

  /** The list as stored, read behind the API's back. */
  async stored(tenant: string, scope: Scope): Promise<ListState> {
    const shown = await this.admin.show({ tenant, scope });
    if (!shown.ok) throw new Error(shown.failure.message);
    return shown.value;
  }

  /** Waits until the live cache decides `address` as `allow` for the scope: changes reach it through Redis. */
  async settled(tenant: string, scope: Scope, address: string, allow: boolean): Promise<void> {
    await until(() => this.cache.decide(tenant, scope, address).allow === allow, 5000, `${tenant}/${scope} to ${allow ? 'allow' : 'deny'} ${address}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.api.close()));
    for (const close of this.closing) await close();
    await this.redis.stop();
  }
}

/** A stack and an API on it for the tests of one file: started before them, stopped after. */
export function apiForTests(countries?: () => CountryLookup): { readonly stack: ApiStack; readonly api: ApiClient } {
  const env = {} as { stack: ApiStack; api: ApiClient };
  beforeAll(async () => {
    env.stack = await ApiStack.start(countries?.());
    env.api = await env.stack.api();
  });
  afterAll(() => env.stack.close());
  return env;
}

/** Asserts the standard error body and returns it. */
export function expectError(answer: Answer, status: number, error: string, field?: string): any {
  expect({ status: answer.status, error: answer.body?.error, field: answer.body?.field }).toEqual({ status, error, field });
  expect(typeof answer.body.message).toBe('string');
  expect(answer.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  return answer.body;
}

export const tenantPath = (tenant: string, rest: string) => `/v1/tenants/${tenant}${rest}`;
export const path = (tenant: string, scope: string, rest = '') => tenantPath(tenant, `/scopes/${scope}${rest}`);
