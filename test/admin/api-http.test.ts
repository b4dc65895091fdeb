import { request as httpRequest } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_API_DEFAULTS } from '../../src/admin/http/start-admin-api.js';
import { adminApiConfig } from '../../src/config/admin-api-config.js';
import { EnvErrors } from '../../src/config/env.js';
import { type ApiClient, apiForTests, expectError, path } from './api-harness.js';

const env = apiForTests();
let token: string;

beforeAll(async () => {
  token = await env.stack.token('acme');
});

/** One request as written, bytes and all: what fetch would not send. */
function raw(client: ApiClient, method: string, target: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: client.api.port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('admin API: security headers', () => {
  it('sends helmet headers and a strict CSP on answers, refusals and authorization answers alike', async () => {
    for (const answer of [
      await env.api.call('GET', path('acme', 'sip'), { token }),
      await env.api.call('GET', path('acme', 'sip')),
      await env.api.call('GET', '/v1/nothing'),
      await env.api.call('GET', '/v1/authorize?tenant=acme&scope=recordings'),
    ]) {
      const where = String(answer.status);
      expect(answer.headers.get('content-security-policy'), where).toBe("default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
      expect(answer.headers.get('x-content-type-options'), where).toBe('nosniff');
      expect(answer.headers.get('x-frame-options'), where).toBe('SAMEORIGIN');
      expect(answer.headers.get('referrer-policy'), where).toBe('no-referrer');
      expect(answer.headers.get('cross-origin-resource-policy'), where).toBe('same-origin');
      expect(answer.headers.get('strict-transport-security'), where).toMatch(/^max-age=\d+/);
      expect(answer.headers.get('cache-control'), where).toBe('no-store');
      expect(answer.headers.get('x-powered-by'), where).toBeNull();
    }
  });
});

describe('admin API: the interactive reference at /v1/docs', () => {
  it('serves an HTML page whose scripts and styles all load from this server, under a CSP that allows only them', async () => {
    for (const page of ['/v1/docs', '/v1/docs/']) {
      const html = await env.api.call('GET', page);
      expect(html.status, page).toBe(200);
      expect(html.headers.get('content-type'), page).toMatch(/^text\/html/);
      expect(html.text).not.toMatch(/(src|href)="(https?:)?\/\//);
      const csp = html.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toMatch(/https?:|unsafe-eval/);

      const assets = [...html.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => new URL(m[1]!, `${env.api.base}${page}`));
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        expect(asset.origin, asset.href).toBe(env.api.base);
        const loaded = await fetch(asset);
        expect(loaded.status, asset.href).toBe(200);
        expect(loaded.headers.get('content-type'), asset.href).toMatch(/^(text\/css|application\/javascript|image\/png)/);
        expect((await loaded.arrayBuffer()).byteLength, asset.href).toBeGreaterThan(100);
      }
    }
  });

  it('points the page at the document the API generates', async () => {
    const initializer = await env.api.call('GET', '/v1/docs/static/swagger-initializer.js');
    expect(initializer.text).toContain("resolveUrl('./json')");
    const document = await env.api.call('GET', '/v1/docs/json');
    expect(document.body).toEqual((await env.api.call('GET', '/v1/openapi.json')).body);
  });
});

describe('admin API: failed token checks are limited per client address', () => {
  it('answers 429 with Retry-After after the limit of bad tokens, to that address only, and logs no token', async () => {
    const limited = await env.stack.api({ authFailureLimit: 3, authFailureWindowMs: 60_000 });
    const good = await env.stack.token('acme');
    const guesses = ['swd_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'not-a-token', good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A')];
    const attacker = '198.51.100.66';
    // No token at all guesses nothing and is not counted.
    expectError(await limited.call('GET', path('acme', 'sip'), { from: attacker }), 401, 'unauthorized');
    for (const guess of guesses) expectError(await limited.call('GET', path('acme', 'sip'), { token: guess, from: attacker }), 401, 'unauthorized');

    for (const attempt of [guesses[0]!, good]) {
      const refused = await limited.call('GET', path('acme', 'sip'), { token: attempt, from: attacker });
      expect(expectError(refused, 429, 'too-many-requests').message).toContain(attacker);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    }
    // Writes are refused the same way, before the body is read.
    expectError(await limited.call('POST', path('acme', 'sip', '/entries'), { token: good, from: attacker, json: { value: '192.0.2.1' } }), 429, 'too-many-requests');

    // Another address is unaffected, and its own failures count for it alone.
    expect((await limited.call('GET', path('acme', 'sip'), { token: good, from: '198.51.100.67' })).status).toBe(200);
    expectError(await limited.call('GET', path('acme', 'sip'), { token: guesses[0]!, from: '198.51.100.67' }), 401, 'unauthorized');
    // The authorization endpoint takes no token and is not limited.
    expect((await limited.call('GET', '/v1/authorize?tenant=acme&scope=recordings', { from: attacker })).status).toBe(204);

    const logged = env.stack.logs.lines().filter((l) => l.msg === 'admin api: bad token');
    expect(logged.filter((l) => l.client === attacker)).toHaveLength(3);
    const everything = JSON.stringify(env.stack.logs.lines());
    for (const guess of guesses) expect(everything).not.toContain(guess);
    expect(everything).not.toContain(good);
  });

  it('counts an IPv6 /64 as one address, and serves it again once the window has passed', async () => {
    const limited = await env.stack.api({ authFailureLimit: 1, authFailureWindowMs: 1000 });
    const good = await env.stack.token('acme');
    expectError(await limited.call('GET', path('acme', 'sip'), { token: 'bad', from: '2001:db8:1:2::1' }), 401, 'unauthorized');
    expectError(await limited.call('GET', path('acme', 'sip'), { token: good, from: '2001:db8:1:2::ffff' }), 429, 'too-many-requests');
    expect((await limited.call('GET', path('acme', 'sip'), { token: good, from: '2001:db8:1:3::1' })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await limited.call('GET', path('acme', 'sip'), { token: good, from: '2001:db8:1:2::1' })).status).toBe(200);
  });

  it('is configured from the environment: on by default, 0 turns it off, a bad value names its variable', () => {
    const read = (vars: Record<string, string>) => {
      const errors = new EnvErrors();
      return { config: adminApiConfig(vars, errors), errors: errors.messages };
    };
    expect(read({}).config).toMatchObject({ authFailureLimit: ADMIN_API_DEFAULTS.authFailureLimit, authFailureWindowMs: ADMIN_API_DEFAULTS.authFailureWindowMs });
    expect(ADMIN_API_DEFAULTS.authFailureLimit).toBeGreaterThan(0);
    expect(read({ SIPWARDEN_ADMIN_AUTH_FAILURE_LIMIT: '0', SIPWARDEN_ADMIN_AUTH_FAILURE_WINDOW_MS: '300000' }).config).toMatchObject({ authFailureLimit: 0, authFailureWindowMs: 300_000 });
    expect(read({ SIPWARDEN_ADMIN_AUTH_FAILURE_LIMIT: 'many' }).errors).toEqual([expect.stringContaining('SIPWARDEN_ADMIN_AUTH_FAILURE_LIMIT')]);
    expect(read({ SIPWARDEN_ADMIN_AUTH_FAILURE_WINDOW_MS: '10' }).errors).toEqual([expect.stringContaining('SIPWARDEN_ADMIN_AUTH_FAILURE_WINDOW_MS')]);
    // The console's idle expiry, beside them.
    expect(read({}).config).toMatchObject({ consoleIdleMs: ADMIN_API_DEFAULTS.consoleIdleMs });
    expect(read({ SIPWARDEN_CONSOLE_IDLE_MS: '600000' }).config).toMatchObject({ consoleIdleMs: 600_000 });
    expect(read({ SIPWARDEN_CONSOLE_IDLE_MS: '5' }).errors).toEqual([expect.stringContaining('SIPWARDEN_CONSOLE_IDLE_MS')]);
  });

  it('can be turned off', async () => {
    const unlimited = await env.stack.api({ authFailureLimit: 0 });
    for (let i = 0; i < 15; i++) expectError(await unlimited.call('GET', path('acme', 'sip'), { token: 'bad', from: '198.51.100.99' }), 401, 'unauthorized');
    expect((await unlimited.call('GET', path('acme', 'sip'), { token, from: '198.51.100.99' })).status).toBe(200);
  });
});

describe('admin API: stricter than fastify by default', () => {
  it('refuses unknown and mistyped fields at any depth instead of dropping or coercing them', async () => {
    const bulk = (json: object) => env.api.call('POST', path('acme', 'sip', '/entries:bulk'), { token, json });
    expect(expectError(await bulk({ action: 'delete', filter: { state: 'active', colour: 'red' } }), 400, 'invalid', 'filter.colour').token).toBe('colour');
    // JSON is not coerced: a string is not a boolean, nor an array.
    expect(expectError(await env.api.call('POST', path('acme', 'sip', '/entries'), { token, json: { value: '192.0.2.1', active: 'true' } }), 400, 'invalid', 'active').token).toBe('true');
    expectError(await bulk({ action: 'delete', values: '192.0.2.1' }), 400, 'invalid', 'values');
    expectError(await bulk({ action: 'delete', all: false }), 400, 'invalid', 'all');
    // Query strings are text, read as the schema's types.
    expectError(await env.api.call('GET', '/v1/tenants/acme/audit?limit=ten', { token }), 400, 'invalid', 'limit');
    expect((await env.api.call('GET', '/v1/tenants/acme/audit?limit=5', { token })).status).toBe(200);
    // A flag is true or false, as the document says; 1 is not guessed to mean true.
    expect(expectError(await env.api.call('PUT', path('acme', 'sip', '/list?dryRun=1'), { token, text: '192.0.2.1' }), 400, 'invalid', 'dryRun').message).toBe('dryRun must be true or false');
    const twice = expectError(await env.api.call('GET', path('acme', 'sip', '?q=a&q=b'), { token }), 400, 'invalid', 'q');
    expect(twice.message).toBe('query parameter q is given more than once');
    expect((await env.stack.stored('acme', 'sip')).configured).toBe(false);
  });

  it('answers 415 when the body is missing its Content-Type or has another, before reading it', async () => {
    const missing = await raw(env.api, 'POST', path('acme', 'sip', '/entries'), { authorization: `Bearer ${token}`, 'content-length': '0' });
    expect(missing.status).toBe(415);
    expect(JSON.parse(missing.text)).toMatchObject({ error: 'unsupported-media-type', field: 'content-type', token: '' });
    expect(JSON.parse(missing.text).message).toContain('Content-Type was missing');
    const csv = await env.api.call('PUT', path('acme', 'sip', '/list'), { token, text: '192.0.2.1', type: 'text/csv' });
    expect(expectError(csv, 415, 'unsupported-media-type', 'content-type').message).toBe('send the body as text/plain or application/json (Content-Type was "text/csv")');
    // The token is checked first: without one, 401 whatever the body.
    expectError(await env.api.call('PUT', path('acme', 'sip', '/list'), { text: '192.0.2.1', type: 'text/csv' }), 401, 'unauthorized');
  });

  it('answers 413 for a declared length over the limit without reading the body, and 400 for a body that is not UTF-8 or JSON', async () => {
    const small = await env.stack.api({ maxBodyBytes: 1024 });
    const big = { value: '192.0.2.1', description: 'x'.repeat(2000) };
    const tooLarge = await small.call('POST', path('acme', 'sip', '/entries'), { token, json: big });
    expect(expectError(tooLarge, 413, 'too-large').message).toBe('the body is larger than 1024 bytes');

    const latin1 = Buffer.from('192.0.2.1 B\xfcro\n', 'latin1');
    const notUtf8 = await raw(env.api, 'POST', path('acme', 'sip', '/entries:import'), { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, latin1);
    expect({ status: notUtf8.status, ...JSON.parse(notUtf8.text) }).toMatchObject({ status: 400, error: 'invalid', field: 'body', message: 'the body is not valid UTF-8' });
    const empty = await raw(env.api, 'POST', path('acme', 'sip', '/entries'), { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '0' });
    expect({ status: empty.status, ...JSON.parse(empty.text) }).toMatchObject({ status: 400, field: 'body', message: expect.stringMatching(/^not valid JSON: /) });
    expect((await env.stack.stored('acme', 'sip')).configured).toBe(false);
  });

  it('checks the token before a path parameter that is not valid percent-encoding, then names the parameter', async () => {
    expectError(await env.api.call('GET', '/v1/tenants/ac%zzme/scopes/sip'), 401, 'unauthorized');
    expect(expectError(await env.api.call('GET', '/v1/tenants/ac%zzme/scopes/sip', { token: await env.stack.token('*') }), 400, 'invalid', 'tenant').token).toBe('ac%zzme');
    expect(expectError(await env.api.call('GET', path('acme', 'sip', '/entries/10.0.0.0%2'), { token }), 400, 'invalid', 'cidr').token).toBe('10.0.0.0%2');
  });

  it('answers 405 with Allow for any method a path does not serve, HEAD and OPTIONS included', async () => {
    for (const method of ['HEAD', 'OPTIONS', 'POST']) {
      const wrong = await raw(env.api, method, path('acme', 'sip', '/check'), { authorization: `Bearer ${token}` });
      expect({ method, status: wrong.status, allow: wrong.headers.allow }).toEqual({ method, status: 405, allow: 'GET' });
    }
    expect((await env.api.call('OPTIONS', '/v1/authorize')).headers.get('allow')).toBe('GET, HEAD, POST, PUT, PATCH, DELETE');
  });
});

describe('authorization endpoint: requests as nginx sends them', () => {
  it("answers the original request's method and Content-Type, with no body or an unread one, never 415", async () => {
    const target = '/v1/authorize?tenant=acme&scope=recordings';
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json', 'text/plain']) {
      const answer = await raw(env.api, 'POST', target, { 'content-type': type, 'x-forwarded-for': '203.0.113.9' });
      expect({ type, status: answer.status, body: answer.text }).toEqual({ type, status: 204, body: '' });
    }
    const withBody = await raw(env.api, 'PUT', target, { 'content-type': 'application/octet-stream', 'x-forwarded-for': '203.0.113.9' }, Buffer.alloc(4096));
    expect(withBody.status).toBe(204);
  });
});
