/**
 * Signing in to the console and what guards it: a token exchanged for an
 * HttpOnly session cookie, never kept by the page; sign-out; a bad token;
 * the tenant's `admin` allowlist; CSRF; revocation; the CSP.
 */
import { describe, expect, it } from 'vitest';
import { path } from '../admin/api-harness.js';
import { consoleForTests, signedIn } from './console-harness.js';

const env = consoleForTests();

describe('console: signing in', () => {
  it('exchanges a token for an HttpOnly SameSite=Strict session, keeps the token nowhere, and signs out', async () => {
    const token = await env.stack.token('acme', 'portal');
    const page = await signedIn(env, token, { from: '203.0.113.5' });
    await expect.poll(() => page.getByText('Your address is 203.0.113.5').count()).toBe(1);
    await expect.poll(() => page.getByRole('heading', { name: 'SIP devices' }).count()).toBe(1);
    expect(page.url()).not.toContain(token);

    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'sipwarden_session', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie!.value).not.toContain(token.slice(4, 20));
    const stored = await page.evaluate('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookie: document.cookie })');
    expect(stored).toBe('{"local":{},"session":{},"cookie":""}');
    // Redis holds the session under the SHA-256 of its id, never the id itself.
    const keys = await env.stack.redis.client().keys('sipwarden:session:*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^sipwarden:session:[0-9a-f]{64}$/);
    expect(keys[0]).not.toContain(cookie!.value);
    const ttl = await env.stack.redis.client().pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(29 * 60_000);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByLabel('API token').count()).toBe(1);
    expect(await env.stack.redis.client().keys('sipwarden:session:*')).toHaveLength(0);
    // The old cookie opens nothing any more.
    const after = await env.api.call('GET', path('acme', 'sip'), { headers: { cookie: `sipwarden_session=${cookie!.value}` } });
    expect(after.status).toBe(401);
    await page.context().close();
  });

  it('refuses a bad token with the reason, and signs in nobody', async () => {
    const page = await env.browser.page({ from: '203.0.113.6' });
    await page.goto(env.url);
    await page.getByLabel('API token').fill('swd_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('the token is not valid');
    expect(await page.context().cookies()).toEqual([]);
    await page.context().close();
  });

  it('lets a token of all tenants pick the tenant', async () => {
    const page = await signedIn(env, await env.stack.token('*', 'operator'));
    await page.getByLabel('Tenant').fill('globex');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'SIP devices' }).count()).toBe(1);
    expect(page.url()).toContain('#/globex/sip');
    await page.context().close();
  });

  it("refuses a sign-in and every request from outside the tenant's admin allowlist", async () => {
    const token = await env.stack.token('guarded');
    const set = await env.api.call('PUT', path('guarded', 'admin', '/list'), { token, from: '192.0.2.10', text: '192.0.2.0/24' });
    expect(set.status).toBe(200);
    await env.stack.settled('guarded', 'admin', '198.51.100.1', false);

    const outside = await env.browser.page({ from: '198.51.100.1' });
    await outside.goto(env.url);
    await outside.getByLabel('API token').fill(token);
    await outside.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => outside.getByRole('alert').textContent()).toContain('your address 198.51.100.1 is not allowed by the admin allowlist of guarded');
    expect(await outside.context().cookies()).toEqual([]);
    await outside.context().close();

    // A session opened inside the list is refused once its address is outside: every request is judged.
    const inside = await signedIn(env, token, { from: '192.0.2.10' });
    const [cookie] = await inside.context().cookies();
    const moved = await env.api.call('GET', path('guarded', 'sip'), { from: '198.51.100.1', headers: { cookie: `sipwarden_session=${cookie!.value}` } });
    expect(moved.status).toBe(403);
    expect(moved.body.message).toContain('not allowed by the admin allowlist');
    await inside.context().close();
  });

  it('refuses a change without the CSRF token, from the page and from anywhere', async () => {
    const page = await signedIn(env, await env.stack.token('csrf'));
    const [cookie] = await page.context().cookies();
    const headers = { cookie: `sipwarden_session=${cookie!.value}` };
    const forged = await env.api.call('POST', path('csrf', 'sip', '/entries'), { headers, json: { value: '192.0.2.1' } });
    expect({ status: forged.status, error: forged.body.error }).toEqual({ status: 403, error: 'csrf' });
    const wrong = await env.api.call('POST', path('csrf', 'sip', '/entries'), { headers: { ...headers, 'x-csrf-token': 'x'.repeat(43) }, json: { value: '192.0.2.1' } });
    expect(wrong.status).toBe(403);
    // The same request from the page itself, without the header the console adds.
    const fromPage = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value":"192.0.2.1"}' })).status, path('csrf', 'sip', '/entries'));
    expect(fromPage).toBe(403);
    expect((await env.stack.stored('csrf', 'sip')).entries).toEqual([]);
    // Reads need none.
    expect((await env.api.call('GET', path('csrf', 'sip'), { headers })).status).toBe(200);
    await page.context().close();
  });

  it('ends the sessions of a revoked token at their next request', async () => {
    const sessions = async () => (await env.stack.redis.client().keys('sipwarden:session:*')).length;
    const before = await sessions();
    const { token, info } = await env.stack.tokens.create('leaver', 'leaver', 'test');
    const page = await signedIn(env, token);
    expect(await sessions()).toBe(before + 1);
    await env.stack.tokens.revoke(info.id);
    await page.reload();
    await expect.poll(() => page.getByLabel('API token').count()).toBe(1);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('its token was revoked');
    expect(await sessions()).toBe(before);
    await page.context().close();
  });

  it('serves the page under a strict CSP, with nothing from another origin', async () => {
    const page = await env.browser.page();
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    const response = await page.goto(env.url);
    const csp = response!.headers()['content-security-policy']!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    await page.getByLabel('API token').waitFor();
    expect([...origins]).toEqual([new URL(env.url).origin]);
    await page.context().close();
  });
});
