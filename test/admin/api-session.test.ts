/**
 * Console sessions at the HTTP level (the browser tests, test/console, drive
 * them from a page): the cookie, the CSRF token, idle expiry and the failed
 * sign-ins counted like failed token checks.
 */
import { describe, expect, it } from 'vitest';
import { apiForTests, expectError, path } from './api-harness.js';

const env = apiForTests();

const cookieOf = (setCookie: string | null) => /sipwarden_session=([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';

describe('admin API: console sessions', () => {
  it('opens a session for a token, reads it back by its cookie, and ends it only with its CSRF token', async () => {
    const token = await env.stack.token('acme', 'portal');
    const opened = await env.api.call('POST', '/v1/session', { json: { token }, from: '203.0.113.5' });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ tenant: 'acme', tokenName: 'portal', address: '203.0.113.5', idleSeconds: 1800 });
    const setCookie = opened.headers.get('set-cookie');
    expect(setCookie).toMatch(/^sipwarden_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
    const cookie = `sipwarden_session=${cookieOf(setCookie)}`;

    expect((await env.api.call('GET', '/v1/session', { headers: { cookie } })).body.csrf).toBe(opened.body.csrf);
    expectError(await env.api.call('DELETE', '/v1/session', { headers: { cookie } }), 403, 'csrf');
    const closed = await env.api.call('DELETE', '/v1/session', { headers: { cookie, 'x-csrf-token': opened.body.csrf } });
    expect(closed.status).toBe(204);
    expect(closed.headers.get('set-cookie')).toContain('Max-Age=0');
    expectError(await env.api.call('GET', '/v1/session', { headers: { cookie } }), 401, 'unauthorized');
    expectError(await env.api.call('GET', '/v1/session'), 401, 'signed-out');
  });

  it("reads a tenant token's session back only from an address the tenant's admin allowlist allows", async () => {
    const token = await env.stack.token('walled');
    expect((await env.api.call('PUT', path('walled', 'admin', '/list'), { token, from: '192.0.2.10', text: '192.0.2.0/24' })).status).toBe(200);
    await env.stack.settled('walled', 'admin', '198.51.100.1', false);
    const opened = await env.api.call('POST', '/v1/session', { json: { token }, from: '192.0.2.10' });
    const cookie = `sipwarden_session=${cookieOf(opened.headers.get('set-cookie'))}`;
    expect((await env.api.call('GET', '/v1/session', { headers: { cookie }, from: '192.0.2.11' })).status).toBe(200);
    expectError(await env.api.call('GET', '/v1/session', { headers: { cookie }, from: '198.51.100.1' }), 403, 'forbidden');
  });

  it('marks the cookie Secure when a trusted proxy says the console is served over TLS', async () => {
    const opened = await env.api.call('POST', '/v1/session', { json: { token: await env.stack.token() }, from: '203.0.113.5', headers: { 'x-forwarded-proto': 'https' } });
    expect(opened.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('ends a session no request used for the idle time', async () => {
    const quick = await env.stack.api({ consoleIdleMs: 1000 });
    const opened = await quick.call('POST', '/v1/session', { json: { token: await env.stack.token('acme') } });
    const cookie = `sipwarden_session=${cookieOf(opened.headers.get('set-cookie'))}`;
    // Each request renews it…
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await quick.call('GET', path('acme', 'sip'), { headers: { cookie } })).status).toBe(200);
    }
    // …a pause longer than the idle time ends it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expectError(await quick.call('GET', path('acme', 'sip'), { headers: { cookie } }), 401, 'unauthorized');
  });

  it('counts failed sign-ins like failed token checks', async () => {
    const limited = await env.stack.api({ authFailureLimit: 2, authFailureWindowMs: 60_000 });
    const bad = { json: { token: 'swd_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, from: '198.51.100.9' };
    expectError(await limited.call('POST', '/v1/session', bad), 401, 'unauthorized');
    expectError(await limited.call('POST', '/v1/session', bad), 401, 'unauthorized');
    expectError(await limited.call('POST', '/v1/session', { ...bad, json: { token: await env.stack.token() } }), 429, 'too-many-requests');
  });
});
