import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { startAdminApi } from '../../src/admin/http/start-admin-api.js';
import { loadShippedCountries } from '../../src/geo/index.js';
import { parseAddress } from '../../src/policy/index.js';
import { newCache, redisStore } from '../store/fixtures.js';
import { type Answer, ApiClient, apiForTests, path } from './api-harness.js';

const env = apiForTests();

beforeAll(async () => {
  const token = await env.stack.token('*');
  // acme: recordings listed; globex: recordings switched on with no entries; admin listed.
  for (const [tenant, scope, list] of [
    ['acme', 'recordings', '203.0.113.0/24'],
    ['globex', 'recordings', ''],
    ['acme', 'admin', '192.0.2.0/24'],
  ] as const) {
    // Forced: the lockout guard covers every scope, and the admin's address is in none of the recordings lists.
    expect((await env.api.call('PUT', path(tenant, scope, '/list?force=true'), { token, from: '192.0.2.1', text: list })).status).toBe(200);
  }
  await env.stack.settled('acme', 'recordings', '198.51.100.1', false);
  await env.stack.settled('acme', 'admin', '198.51.100.1', false);
  await env.stack.settled('globex', 'recordings', '1.2.3.4', true);
});


const authorize = (client: ApiClient, query: string, from?: string, method = 'GET', headers: Record<string, string> = {}) =>
  client.call(method, `/v1/authorize${query}`, { ...(from !== undefined && { from }), headers });

function expectAnswer(answer: Answer, status: 204 | 403, reason: string): void {
  expect({ status: answer.status, reason: answer.headers.get('x-sipwarden-reason') }).toEqual({ status, reason });
  expect(answer.text).toBe('');
}

describe('authorization endpoint', () => {
  it('allows recordings downloads only from listed addresses, without a token', async () => {
    expectAnswer(await authorize(env.api, '?tenant=acme&scope=recordings', '203.0.113.9'), 204, 'matched');
    expectAnswer(await authorize(env.api, '?tenant=acme&scope=recordings', '198.51.100.1'), 403, 'no-match');
  });

  it('treats an empty recordings list as unrestricted, and an unconfigured one as open', async () => {
    expectAnswer(await authorize(env.api, '?tenant=globex&scope=recordings', '198.51.100.1'), 204, 'empty-list');
    expectAnswer(await authorize(env.api, '?tenant=initech&scope=recordings', '198.51.100.1'), 204, 'scope-disabled');
  });

  it("guards a portal's login with the admin scope", async () => {
    expectAnswer(await authorize(env.api, '?tenant=acme&scope=admin', '192.0.2.200'), 204, 'matched');
    expectAnswer(await authorize(env.api, '?tenant=acme&scope=admin', '198.51.100.1'), 403, 'no-match');
  });

  it('takes tenant and scope from headers, and says no when query and header disagree', async () => {
    const headers = { 'x-sipwarden-tenant': 'acme', 'x-sipwarden-scope': 'recordings' };
    expectAnswer(await authorize(env.api, '', '203.0.113.9', 'GET', headers), 204, 'matched');
    expectAnswer(await authorize(env.api, '?tenant=acme', '203.0.113.9', 'GET', { 'x-sipwarden-scope': 'recordings' }), 204, 'matched');
    // A client header smuggled past a front that sets the query must not pick another tenant.
    expectAnswer(await authorize(env.api, '?tenant=acme&scope=recordings', '198.51.100.1', 'GET', { 'x-sipwarden-tenant': 'globex' }), 403, 'conflicting-request');
    expectAnswer(await authorize(env.api, '?tenant=acme&tenant=globex&scope=recordings', '198.51.100.1'), 403, 'conflicting-request');
  });

  it('answers every method alike, as nginx subrequests keep the original method', async () => {
    for (const method of ['HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      expect((await authorize(env.api, '?tenant=acme&scope=recordings', '203.0.113.9', method)).status).toBe(204);
      expect((await authorize(env.api, '?tenant=acme&scope=recordings', '198.51.100.1', method)).status).toBe(403);
    }
  });

  it('fails closed on anything it cannot decide', async () => {
    expectAnswer(await authorize(env.api, '?scope=recordings', '203.0.113.9'), 403, 'bad-tenant');
    expectAnswer(await authorize(env.api, '?tenant=ac%7Bme&scope=recordings', '203.0.113.9'), 403, 'bad-tenant');
    expectAnswer(await authorize(env.api, '?tenant=acme', '203.0.113.9'), 403, 'bad-scope');
    // SIP scopes are the edge's: not decided here.
    expectAnswer(await authorize(env.api, '?tenant=initech&scope=sip', '203.0.113.9'), 403, 'bad-scope');
    expectAnswer(await authorize(env.api, '?tenant=initech&scope=recordings', 'not-an-address'), 403, 'bad-source-address');
  });

  it('ignores the forwarded address from an untrusted peer and judges the socket address', async () => {
    const untrusting = await env.stack.api({ trustedProxies: '' });
    expectAnswer(await authorize(untrusting, '?tenant=acme&scope=recordings', '203.0.113.9'), 403, 'no-match');
    expectAnswer(await authorize(untrusting, '?tenant=globex&scope=recordings', '203.0.113.9'), 204, 'empty-list');
  });

  it('denies everything while the policy is not loaded yet', async () => {
    // A cache that has loaded nothing yet: Redis was not reachable at start and there is no snapshot.
    const store = await redisStore(env.stack.redis.url, env.stack.logs.logger);
    const { cache } = newCache(store.source);
    const registry = new Registry();
    const started = await startAdminApi(
      { port: 0, trustedProxies: '127.0.0.1' },
      { admin: env.stack.admin, denied: env.stack.denied, bans: env.stack.bans, tokens: env.stack.tokens, consoleSessions: env.stack.consoleSessions, policy: cache, logger: env.stack.logs.logger, registry },
    );
    if (!started.ok) throw new Error(started.message);
    const cold = new ApiClient(started.api, registry);
    expectAnswer(await authorize(cold, '?tenant=initech&scope=recordings', '203.0.113.9'), 403, 'policy-unavailable');
    const adminCall = await cold.call('GET', path('initech', 'sip'), { token: await env.stack.token('*') });
    expect(adminCall.status).toBe(403);
    await started.api.close();
    store.close();
  });

  it('counts answers by scope and result', async () => {
    const text = await env.api.registry.getSingleMetricAsString('sipwarden_authorize_decisions_total');
    expect(text).toMatch(/scope="recordings",result="allow"} [1-9]/);
    expect(text).toMatch(/scope="admin",result="deny"} [1-9]/);
    expect(text).toMatch(/scope="invalid",result="deny"} [1-9]/);
  });
});

describe('authorization endpoint with countries', () => {
  it('allows a client whose country is in the set, from the shipped data, answering country-allowed', async () => {
    // A known address and its country, read from the shipped data (its first row with a two-letter code).
    const dir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country/package.json'));
    const rows = readFileSync(join(dir, 'geo-whois-asn-country-ipv4.csv'), 'latin1').split('\n', 2000).map((l) => l.split(','));
    const [address, , country] = rows.find((r) => r.length === 3 && countryOf(r[0]!) === r[2])!;
    const other = rows.find((r) => r.length === 3 && r[2] !== country && countryOf(r[0]!) === r[2])![0]!;
    env.stack.cache.useCountryData(loadShippedCountries());
    const plain = env.stack.redis.client();
    try {
      await plain.set('sipwarden:{countryco}:recordings:countries', country!.toLowerCase());
      await env.stack.settled('countryco', 'recordings', other, false);
    } finally {
      plain.disconnect();
    }
    expectAnswer(await authorize(env.api, '?tenant=countryco&scope=recordings', address), 204, 'country-allowed');
    expectAnswer(await authorize(env.api, '?tenant=countryco&scope=recordings', other), 403, 'no-match');
  });
});

function countryOf(address: string): string | undefined {
  const words = new Uint32Array(4);
  const family = parseAddress(address, words);
  return family === 0 ? undefined : loadShippedCountries().countryAt(family, words);
}
