import { beforeAll, describe, expect, it } from 'vitest';
import { apiForTests, expectError, path } from './api-harness.js';

const env = apiForTests();



describe('admin API: tokens', () => {
  it('refuses a request without a token, with a malformed header, or with a token that is not live', async () => {
    const none = await env.api.call('GET', path('acme', 'sip'));
    expectError(none, 401, 'unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="sipwarden"');
    expectError(await env.api.call('GET', path('acme', 'sip'), { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } }), 401, 'unauthorized');
    expectError(await env.api.call('GET', path('acme', 'sip'), { token: 'swd_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 401, 'unauthorized');

    const { token, info } = await env.stack.tokens.create('acme', 'leaver', 'test');
    expect((await env.api.call('GET', path('acme', 'sip'), { token })).status).toBe(200);
    // A secret one character off is no token either.
    const mistyped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expectError(await env.api.call('GET', path('acme', 'sip'), { token: mistyped }), 401, 'unauthorized');
    await env.stack.tokens.revoke(info.id);
    const revoked = await env.api.call('GET', path('acme', 'sip'), { token });
    expectError(revoked, 401, 'unauthorized');
    expect(revoked.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it("lets a tenant's token touch that tenant only; an all-tenants token any", async () => {
    const acme = await env.stack.token('acme');
    const other = await env.api.call('POST', path('globex', 'sip', '/entries'), { token: acme, json: { value: '192.0.2.1' } });
    expect(expectError(other, 403, 'forbidden').message).toContain('manages tenant acme only');
    expect((await env.stack.stored('globex', 'sip')).configured).toBe(false);

    const operator = await env.stack.token('*');
    expect((await env.api.call('POST', path('globex', 'sip', '/entries'), { token: operator, json: { value: '192.0.2.1' } })).status).toBe(201);
    expect((await env.api.call('GET', path('acme', 'sip'), { token: operator })).status).toBe(200);
  });
});

describe('admin API: the admin allowlist of the tenant', () => {
  const tenant = 'guarded';
  let token: string;

  beforeAll(async () => {
    token = await env.stack.token(tenant);
    // Set up from inside the list, so the lockout guard lets it through.
    const pushed = await env.api.call('PUT', path(tenant, 'admin', '/list'), { token, from: '192.0.2.10', text: '192.0.2.0/24' });
    expect(pushed.status).toBe(200);
    await env.stack.settled(tenant, 'admin', '198.51.100.1', false);
  });

  it('refuses every request from an address the list does not allow, whatever the token', async () => {
    const denied = await env.api.call('GET', path(tenant, 'sip'), { token, from: '198.51.100.1' });
    expect(expectError(denied, 403, 'forbidden').message).toContain('198.51.100.1 is not allowed by the admin allowlist of guarded (no-match)');
    const write = await env.api.call('POST', path(tenant, 'sip', '/entries'), { token, from: '198.51.100.1', json: { value: '198.51.100.1' } });
    expectError(write, 403, 'forbidden');
    expectError(await env.api.call('GET', path(tenant, 'sip'), { token: await env.stack.token('*'), from: '198.51.100.1' }), 403, 'forbidden');
    expect((await env.stack.stored(tenant, 'sip')).configured).toBe(false);

    expect((await env.api.call('GET', path(tenant, 'sip'), { token, from: '192.0.2.77' })).status).toBe(200);
  });

  it('judges the rightmost address no trusted proxy stands for', async () => {
    // The client wrote 192.0.2.10 itself; the trusted proxy appended the real peer.
    expectError(await env.api.call('GET', path(tenant, 'sip'), { token, from: '192.0.2.10, 198.51.100.1' }), 403, 'forbidden');
    // Trusted hops (127.0.0.1) are skipped.
    expect((await env.api.call('GET', path(tenant, 'sip'), { token, from: '198.51.100.1, 192.0.2.10, 127.0.0.1' })).status).toBe(200);
    // A malformed hop is denied, never taken as an open door.
    expectError(await env.api.call('GET', path(tenant, 'sip'), { token, from: '192.0.2.10:5060' }), 403, 'forbidden');
  });

  it('ignores the client-address header from a peer that is not a trusted proxy, and logs it', async () => {
    const untrusting = await env.stack.api({ trustedProxies: '10.0.0.0/8' });
    const spoofed = await untrusting.call('GET', path(tenant, 'sip'), { token, from: '192.0.2.10' });
    expect(expectError(spoofed, 403, 'forbidden').message).toContain('your address 127.0.0.1');
    expect(env.stack.logs.lines().some((l) => l.header === '192.0.2.10' && String(l.msg).includes('untrusted peer'))).toBe(true);
    expect(await untrusting.registry.getSingleMetricAsString('sipwarden_admin_api_forwarded_ignored_total')).toMatch(/ 1$/m);

    // The same header from the trusted proxy is believed.
    expect((await env.api.call('GET', path(tenant, 'sip'), { token, from: '192.0.2.10' })).status).toBe(200);
  });
});

describe('admin API: lockout guard', () => {
  it('refuses an admin-scope change that would deny the caller, even forced, and writes nothing', async () => {
    const tenant = 'lock-admin';
    const token = await env.stack.token(tenant);
    const from = '192.0.2.10';
    expect((await env.api.call('PUT', path(tenant, 'admin', '/list'), { token, from, text: '192.0.2.0/24, 198.51.100.0/24' })).status).toBe(200);
    const before = await env.api.call('GET', path(tenant, 'admin'), { token, from });

    for (const query of ['', '?force=true']) {
      const refused = await env.api.call('PUT', path(tenant, 'admin', `/list${query}`), { token, from, text: '198.51.100.0/24' });
      const error = expectError(refused, 403, 'lockout');
      expect(error.message).toContain(`would deny your own address ${from} in ${tenant}/admin`);
    }
    const deleteOwn = await env.api.call('DELETE', path(tenant, 'admin', '/entries/192.0.2.0%2F24?force=true'), { token, from });
    expectError(deleteOwn, 403, 'lockout');
    const disableOwn = await env.api.call('POST', path(tenant, 'admin', '/entries:bulk'), { token, from, json: { action: 'disable', all: true } });
    expectError(disableOwn, 403, 'lockout');
    expect((await env.api.call('GET', path(tenant, 'admin'), { token, from })).body).toEqual(before.body);

    // A change that keeps the caller in passes.
    expect((await env.api.call('DELETE', path(tenant, 'admin', '/entries/198.51.100.0%2F24'), { token, from })).status).toBe(200);
  });

  it('refuses switching on another scope without the caller in it, unless forced', async () => {
    const tenant = 'lock-sip';
    const token = await env.stack.token(tenant);
    await env.api.call('POST', path(tenant, 'sip', '/entries'), { token, json: { value: '203.0.113.0/24' } });
    const refused = await env.api.call('PUT', path(tenant, 'sip'), { token, from: '192.0.2.10', json: { enabled: true } });
    expect(expectError(refused, 403, 'lockout').message).toContain('192.0.2.10');
    expect((await env.api.call('GET', path(tenant, 'sip'), { token })).body.enabled).toBe(false);

    const forced = await env.api.call('PUT', path(tenant, 'sip', '?force=true'), { token, from: '192.0.2.10', json: { enabled: true } });
    expect(forced.status).toBe(200);
    expect((await env.api.call('GET', path(tenant, 'sip'), { token })).body.enabled).toBe(true);
  });
});
