/**
 * The composition root as the main job starts it from environment variables:
 * lists in Redis, the SIP edge waiting for drachtio-server, the admin API
 * beside it. (The SIP path itself is in test/e2e, with a real drachtio-server.)
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sipwarden, startSipwarden } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { capturingLogger } from './support/logger.js';
import { freePort, until } from './support/net.js';
import { RedisServer } from './support/redis-server.js';

describe('sipwarden main job', () => {
  let redis: RedisServer;
  let app: Sipwarden;

  beforeAll(async () => {
    redis = await RedisServer.start();
    const plain = redis.client();
    await plain.set('sipwarden:{acme}:admin:cidrs', '127.0.0.0/8');
    plain.disconnect();
    const loaded = loadConfig({
      REDIS_URL: redis.url,
      DRACHTIO_PORT: String(await freePort()), // nothing listens: the edge keeps retrying
      DRACHTIO_SECRET: 'cymru',
      SIP_UPSTREAM: 'sip:127.0.0.1:5070',
      SIPWARDEN_HTTP_HOST: '127.0.0.1',
      SIPWARDEN_HTTP_PORT: '0',
      SIPWARDEN_ADMIN_API_PORT: String(await freePort()),
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    const started = await startSipwarden(loaded.config, capturingLogger().logger, new Registry());
    if (!started.ok) throw new Error(started.message);
    app = started.app;
  });

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('loads the lists from Redis and reports not ready while drachtio-server is away', async () => {
    expect(app.cache.decide('acme', 'admin', '127.0.0.9').allow).toBe(true);
    const health = await fetch(`http://127.0.0.1:${app.httpPort}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ drachtio: false, lists: true });
    const metrics = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^sipwarden_policy_ready 1$/m);
  });

  it('serves the admin API and the authorization endpoint beside the edge, deciding through the same cache', async () => {
    const api = `http://127.0.0.1:${app.adminApiPort}`;
    expect((await fetch(`${api}/v1/openapi.json`)).status).toBe(200);
    expect((await fetch(`${api}/v1/tenants/acme/scopes`)).status).toBe(401);
    expect((await fetch(`${api}/v1/authorize?tenant=acme&scope=admin`)).status).toBe(204);
    const plain = redis.client();
    await plain.set('sipwarden:{acme}:admin:cidrs', '192.0.2.0/24');
    plain.disconnect();
    await until(() => !app.cache.decide('acme', 'admin', '127.0.0.1').allow, 2000, 'the pushed admin list');
    expect((await fetch(`${api}/v1/authorize?tenant=acme&scope=admin`)).status).toBe(403);
  });
});
