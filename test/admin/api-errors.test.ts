import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { ListAdmin } from '../../src/admin/list-admin.js';
import { redisAdminStores } from '../../src/admin/open-admin.js';
import { startAdminApi } from '../../src/admin/http/start-admin-api.js';
import { KeySchema } from '../../src/store/keys.js';
import { createRedisClient } from '../../src/store/redis-connection.js';
import { freePort } from '../support/net.js';
import { apiForTests, expectError, path } from './api-harness.js';

const env = apiForTests();
let token: string;

beforeAll(async () => {
  token = await env.stack.token('acme');
});


describe('admin API: invalid input names the field and the token', () => {
  it('refuses a body that is not JSON, not an object, or has unknown or mistyped fields', async () => {
    const entries = path('acme', 'sip', '/entries');
    expect(expectError(await env.api.call('POST', entries, { token, text: '{"value":', type: 'application/json' }), 400, 'invalid', 'body').message).toMatch(/^not valid JSON/);
    expectError(await env.api.call('POST', entries, { token, json: ['192.0.2.1'] }), 400, 'invalid', 'body');
    expect(expectError(await env.api.call('POST', entries, { token, json: { value: '192.0.2.1', descripton: 'typo' } }), 400, 'invalid', 'descripton').message).toContain(
      'expected value, description, active',
    );
    expect(expectError(await env.api.call('POST', entries, { token, json: { value: '192.0.2.1', active: 'yes' } }), 400, 'invalid', 'active').token).toBe('yes');
    expectError(await env.api.call('POST', entries, { token, json: { description: 'no value' } }), 400, 'invalid', 'value');
    expectError(await env.api.call('POST', entries, { token, json: { value: '192.0.2.1', description: 'two\nlines' } }), 400, 'invalid', 'description');
    expect((await env.stack.stored('acme', 'sip')).configured).toBe(false);
  });

  it('names a bad entry and why', async () => {
    const bad = expectError(await env.api.call('POST', path('acme', 'sip', '/entries'), { token, json: { value: '010.0.0.1' } }), 400, 'invalid', 'value');
    expect(bad.token).toBe('010.0.0.1');
    expect(bad.message).toMatch(/leading zero/);
    const badPath = expectError(await env.api.call('DELETE', path('acme', 'sip', '/entries/10.0.0.0%2F33'), { token }), 400, 'invalid', 'cidr');
    expect(badPath.token).toBe('10.0.0.0/33');
  });

  it('names every bad entry of a pushed list with its position, and writes nothing', async () => {
    const refused = await env.api.call('PUT', path('acme', 'webrtc', '/list'), { token, text: '192.0.2.0/24, 127.1, 10.0.0.0/8, fe80::1%eth0' });
    const error = expectError(refused, 400, 'invalid', 'cidrs');
    expect(error.items.map((i: { entry: number; token: string }) => [i.entry, i.token])).toEqual([
      [1, '127.1'],
      [3, 'fe80::1%eth0'],
    ]);
    expect(error.token).toBe('127.1');
    expect((await env.stack.stored('acme', 'webrtc')).configured).toBe(false);
  });

  it('refuses an unknown scope, a bad tenant name, and a bad path encoding', async () => {
    expect(expectError(await env.api.call('GET', path('acme', 'voip'), { token }), 400, 'invalid', 'scope').token).toBe('voip');
    expectError(await env.api.call('GET', path('ac%7Bme%7D', 'sip'), { token: await env.stack.token('*') }), 400, 'invalid', 'tenant');
    expectError(await env.api.call('GET', path('acme', 'sip', '/entries/10.0.0.0%2'), { token }), 400, 'invalid', 'cidr');
  });

  it('refuses bad, unknown and repeated query parameters instead of guessing, writing nothing', async () => {
    await env.api.call('PUT', path('acme', 'recordings', '/list'), { token, text: '192.0.2.0/24' });
    const before = await env.stack.stored('acme', 'recordings');
    expect(expectError(await env.api.call('PUT', path('acme', 'recordings', '/list?dryRun=maybe'), { token, text: '' }), 400, 'invalid', 'dryRun').token).toBe('maybe');
    // A misspelt dry-run flag must not become a real push.
    expect(expectError(await env.api.call('PUT', path('acme', 'recordings', '/list?dryrun=true'), { token, text: '' }), 400, 'invalid', 'dryrun').message).toContain(
      'unknown query parameter',
    );
    expectError(await env.api.call('PUT', path('acme', 'recordings', '/list?dryRun=true&dryRun=false'), { token, text: '' }), 400, 'invalid', 'dryRun');
    expect((await env.stack.stored('acme', 'recordings')).rev).toBe(before.rev);

    expectError(await env.api.call('GET', path('acme', 'sip', '?state=enabled'), { token }), 400, 'invalid', 'state');
    expectError(await env.api.call('GET', path('acme', 'sip', '/check?ip=192.0.2.256'), { token }), 400, 'invalid', 'ip');
    expectError(await env.api.call('GET', path('acme', 'sip', '/export?format=xml'), { token }), 400, 'invalid', 'format');
    expectError(await env.api.call('GET', '/v1/tenants/acme/audit?limit=0', { token }), 400, 'invalid', 'limit');
  });

  it('asks for exactly one selection in a bulk action and names a bad value', async () => {
    const bulk = (json: object) => env.api.call('POST', path('acme', 'sip', '/entries:bulk'), { token, json });
    expectError(await bulk({ action: 'delete' }), 400, 'invalid', 'body');
    expectError(await bulk({ action: 'delete', all: true, values: ['192.0.2.1'] }), 400, 'invalid', 'body');
    expectError(await bulk({ action: 'purge', all: true }), 400, 'invalid', 'action');
    expect(expectError(await bulk({ action: 'delete', values: ['192.0.2.1', 'nope'] }), 400, 'invalid', 'values[1]').token).toBe('nope');
    expect(expectError(await bulk({ action: 'delete', filter: {} }), 400, 'invalid', 'filter').message).toContain('select all explicitly');
    expectError(await bulk({ action: 'delete', filter: { state: 'gone' } }), 400, 'invalid', 'filter.state');
    expectError(await env.api.call('PATCH', path('acme', 'sip', '/entries/192.0.2.1'), { token, json: {} }), 400, 'invalid', 'body');
  });
});

describe('admin API: other refusals', () => {
  it('answers 404 for an unknown route, with a hint for an unencoded entry, and 405 for a wrong method', async () => {
    expectError(await env.api.call('GET', '/v1/tenants/acme/nothing', { token }), 404, 'not-found');
    expect(expectError(await env.api.call('DELETE', path('acme', 'sip', '/entries/10.0.0.0/8'), { token }), 404, 'not-found').message).toContain('%2F');
    const wrong = await env.api.call('DELETE', path('acme', 'sip'), { token });
    expectError(wrong, 405, 'method-not-allowed');
    expect(wrong.headers.get('allow')).toBe('GET, PUT');
  });

  it('answers 409 for an entry that exists', async () => {
    await env.api.call('POST', path('acme', 'sip', '/entries'), { token, json: { value: '198.51.100.7' } });
    expectError(await env.api.call('POST', path('acme', 'sip', '/entries'), { token, json: { value: '198.51.100.7/32' } }), 409, 'exists');
  });

  it('answers 413 for a body over the limit and 415 for a media type the route does not read', async () => {
    const small = await env.stack.api({ maxBodyBytes: 1024 });
    const big = Array.from({ length: 200 }, (_, i) => `192.0.2.${i % 250}`).join('\n');
    expectError(await small.call('POST', path('acme', 'sip', '/entries:import'), { token, text: big }), 413, 'too-large');
    // The connection survives: the next request on it is answered.
    expect((await small.call('GET', path('acme', 'sip'), { token })).status).toBe(200);
    // Without a declared length (chunked), the limit holds while reading.
    const chunked = await fetch(`${small.base}${path('acme', 'sip', '/entries:import')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await env.stack.stored('acme', 'sip')).entries.some((e) => e.value === '192.0.2.100')).toBe(false);

    const form = await env.api.call('POST', path('acme', 'sip', '/entries'), { token, text: 'value=192.0.2.1', type: 'application/x-www-form-urlencoded' });
    expect(expectError(form, 415, 'unsupported-media-type', 'content-type').message).toContain('application/json');
    expectError(await env.api.call('POST', path('acme', 'sip', '/entries:import'), { token, text: '<entries/>', type: 'application/xml' }), 415, 'unsupported-media-type', 'content-type');
    // JSON is read as a json export (GET …/export?format=json), so export then import round-trips: an array is none.
    expect(expectError(await env.api.call('POST', path('acme', 'sip', '/entries:import'), { token, json: ['192.0.2.1'] }), 400, 'invalid', 'body').message).toBe('body must be a JSON object');
  });

  it('answers 422 when the stored list is malformed, and lets a replacement fix it', async () => {
    await env.stack.redis.client().set('sipwarden:{broken}:sip:cidrs', '192.0.2.0/24, not-an-address');
    const t = await env.stack.token('broken');
    expect(expectError(await env.api.call('GET', path('broken', 'sip'), { token: t }), 422, 'unreadable').message).toContain('not-an-address');
    expectError(await env.api.call('POST', path('broken', 'sip', '/entries'), { token: t, json: { value: '192.0.2.9' } }), 422, 'unreadable');
    const scopes = await env.api.call('GET', '/v1/tenants/broken/scopes', { token: t });
    expect(scopes.body.scopes[0]).toMatchObject({ scope: 'sip', error: 'unreadable' });
  });

  it('answers 500 with a generic message when the store fails, and logs the cause', async () => {
    // ListAdmin on a Redis nobody listens on; tokens still verify.
    const client = createRedisClient({ url: `redis://127.0.0.1:${await freePort()}`, commandTimeoutMs: 500 });
    client.on('error', () => undefined);
    const keys = new KeySchema();
    const deadAdmin = new ListAdmin(redisAdminStores(client, keys, env.stack.logs.logger));
    const broken = await env.stack.api({}, deadAdmin);
    const failed = await broken.call('GET', path('acme', 'sip'), { token });
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: 'internal', message: 'internal error; it was logged' });
    expect(env.stack.logs.lines().some((l) => l.level === 50 && l.msg === 'admin api request failed')).toBe(true);
    client.disconnect();
  });

  it('refuses options it cannot serve', async () => {
    const deps = { admin: env.stack.admin, denied: env.stack.denied, bans: env.stack.bans, tokens: env.stack.tokens, consoleSessions: env.stack.consoleSessions, policy: env.stack.cache, logger: env.stack.logs.logger, registry: new Registry() };
    expect(await startAdminApi({ port: 0, trustedProxies: '10.0.0.0/33' }, deps)).toMatchObject({ ok: false, message: expect.stringContaining('trusted proxies') });
    expect(await startAdminApi({ port: 0, clientAddressHeader: 'X Forwarded' }, deps)).toMatchObject({ ok: false });
    expect(await startAdminApi({ port: env.api.api.port }, deps)).toMatchObject({ ok: false, message: expect.stringContaining('cannot listen') });
  });
});
