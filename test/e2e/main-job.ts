/**
 * The main job as `npm start` runs it, for the end-to-end suites: sipwarden
 * configured by environment variables, with lists pushed the way an operator
 * pushes them (plain Redis commands).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { type Sipwarden, startSipwarden } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { freePort, waitFor } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { type DrachtioOptions, type DrachtioPorts, type DrachtioServer, SECRET, startDrachtio } from './drachtio-server.js';
import { type SippUas, startUas } from './sipp.js';

/** Loopback sources: 127.0.0.2 is listed, 127.0.0.3 is not. */
export const ALLOWED = '127.0.0.2';
export const DENIED = '127.0.0.3';

/** Lists and domains as an operator pushes them: plain Redis commands. */
export async function pushLists(redis: Redis, lists: Record<string, string>, domains: Record<string, string>): Promise<void> {
  for (const [key, cidrs] of Object.entries(lists)) await redis.set(`sipwarden:${key}:cidrs`, cidrs);
  await redis.hset('sipwarden:domains', domains);
}

/** Starts sipwarden from environment variables, as main.ts does. */
export async function startMainJob(env: Record<string, string>, logger: Logger): Promise<Sipwarden> {
  const loaded = loadConfig({ SIPWARDEN_HTTP_HOST: '127.0.0.1', SIPWARDEN_HTTP_PORT: '0', SIPWARDEN_ADMIN_API_PORT: '0', DRACHTIO_SECRET: SECRET, ...env });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const started = await startSipwarden(loaded.config, logger, new Registry());
  if (!started.ok) throw new Error(started.message);
  return started.app;
}

/** GET /health of a running edge: status code and body. */
export async function health(httpPort: number): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/health`);
  return { status: response.status, body: (await response.json()) as unknown };
}

/**
 * The environment of an edge connecting to drachtio-server's admin port on
 * loopback, reconnecting fast, with `upstreamPort` (a sipp UAS) as its PBX.
 */
export function inboundEdgeEnv(adminPort: number, upstreamPort: number, more: Record<string, string> = {}): Record<string, string> {
  return {
    DRACHTIO_HOST: '127.0.0.1',
    DRACHTIO_PORT: String(adminPort),
    SIPWARDEN_DRACHTIO_RETRY_MIN_MS: '50',
    SIPWARDEN_DRACHTIO_RETRY_MAX_MS: '200',
    SIP_UPSTREAM: `127.0.0.1:${upstreamPort}`,
    ...more,
  };
}

/** What an e2e suite started, any part of which a failed start may lack. */
export interface E2eStack {
  readonly edge?: Sipwarden | undefined;
  readonly drachtio?: DrachtioServer | undefined;
  readonly uas?: SippUas | undefined;
  readonly operator?: Redis | undefined;
  readonly redis?: RedisServer | undefined;
}

/** Stops a suite's servers, the edge first so that it logs no outage of the others. */
export async function stopStack(stack: E2eStack): Promise<void> {
  await stack.edge?.close();
  await stack.drachtio?.stop();
  await stack.uas?.stop();
  stack.operator?.disconnect();
  await stack.redis?.stop();
}

/** What startInboundStack started, every part of it. */
export interface InboundStack extends Required<E2eStack> {
  readonly ports: DrachtioPorts;
}

/**
 * The stack of the suites that need nothing special: a sipp UAS as the PBX,
 * a redis-server holding `lists` and `domains`, a real drachtio-server
 * (`binary`) with udp, tcp and ws listeners, and the main job connected to it
 * without upstream probes, so that every request the PBX sees came from a
 * client; `env` adds to (or overrides) the edge's environment, `drachtio`
 * gives drachtio-server more options (it may need the redis-server's port,
 * so it is a function of it). Resolves once
 * /health is 200; what a failed start had started is stopped.
 */
export async function startInboundStack(
  binary: string,
  lists: Record<string, string>,
  domains: Record<string, string>,
  logger: Logger,
  env: Record<string, string> = {},
  drachtio: (redisPort: number) => DrachtioOptions = () => ({}),
): Promise<InboundStack> {
  const started: { -readonly [Part in keyof E2eStack]: E2eStack[Part] } = {};
  try {
    const ports = { admin: await freePort(), sip: await freePort(), ws: await freePort() };
    const uas = (started.uas = await startUas());
    const redis = (started.redis = await RedisServer.start());
    const operator = (started.operator = redis.client());
    await pushLists(operator, lists, domains);
    const server = (started.drachtio = await startDrachtio(binary, ports, '', drachtio(redis.port)));
    const edge = (started.edge = await startMainJob(inboundEdgeEnv(ports.admin, uas.port, { REDIS_URL: redis.url, SIPWARDEN_UPSTREAM_PROBE_MS: '0', ...env }), logger));
    await waitFor('the edge to be ready', async () => ((await health(edge.httpPort)).status === 200 ? true : undefined));
    return { ports, uas, redis, operator, drachtio: server, edge };
  } catch (error) {
    await stopStack(started);
    throw error;
  }
}
