/**
 * The edge's ban list over HTTP (issue 14's auto-ban): GET /v1/bans and
 * DELETE /v1/bans/{address}, against a real redis-server whose bans are
 * made by the edge's own script (RedisBanList.ban, ban.lua). The list is
 * every tenant's: only a token for all tenants reads or lifts it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RedisBanList } from '../../src/store/ban-list.js';
import { KeySchema } from '../../src/store/keys.js';
import { connectRedis, createRedisClient } from '../../src/store/redis-connection.js';
import { apiForTests, expectError } from './api-harness.js';

const env = apiForTests();
let operator: string;
let bans: RedisBanList;

const AT = Date.parse('2026-12-03T10:00:00Z');
// Far enough ahead that no sweep of the test's lifetime lifts it as expired.
const UNTIL = AT + 10 * 365 * 24 * 3_600_000;
const BANNED = { at: AT, reason: 'denied 101 times within 10 s', tenant: 'moved.example', scope: 'sip', denials: 101, by: 'edge-1' } as const;

beforeAll(async () => {
  operator = await env.stack.token('*', 'operator');
  const client = createRedisClient({ url: env.stack.redis.url, commandTimeoutMs: 2000 });
  await connectRedis(client, 2000);
  bans = new RedisBanList(client, new KeySchema());
  await bans.ban('203.0.113.66', UNTIL, BANNED);
  await bans.ban('2001:db8::66', UNTIL, { ...BANNED, tenant: 'other.example' });
  // A member added by hand (redis-cli SADD): banned until removed, with no description.
  await env.stack.redis.client().sadd(bans.setKey, '198.51.100.99');
});

describe('admin API: the ban list', () => {
  it('lists every ban by address, its times in ISO 8601, one added by hand without a description', async () => {
    const listed = await env.api.call('GET', '/v1/bans', { token: operator });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      bans: [
        { address: '198.51.100.99' },
        { ...BANNED, address: '2001:db8::66', tenant: 'other.example', at: '2026-12-03T10:00:00.000Z', until: new Date(UNTIL).toISOString() },
        { ...BANNED, address: '203.0.113.66', at: '2026-12-03T10:00:00.000Z', until: new Date(UNTIL).toISOString() },
      ],
    });
  });

  it("refuses a tenant's token, even the tenant the ban was made for, and a request without a token", async () => {
    const tenant = await env.stack.token('moved.example', 'portal');
    const read = expectError(await env.api.call('GET', '/v1/bans', { token: tenant }), 403, 'forbidden');
    expect(read.message).toBe("token portal manages tenant moved.example only; the ban list is every tenant's (a banned source is dropped for all of them), so it takes a token for all tenants (*)");
    expectError(await env.api.call('DELETE', '/v1/bans/203.0.113.66', { token: tenant }), 403, 'forbidden');
    expectError(await env.api.call('GET', '/v1/bans'), 401, 'unauthorized');
    expect((await bans.list()).map((b) => b.address)).toContain('203.0.113.66');
  });

  it('refuses what is no address naming it, and an address that is not banned', async () => {
    const bad = expectError(await env.api.call('DELETE', '/v1/bans/203.0.113.666', { token: operator }), 400, 'invalid', 'address');
    expect(bad).toMatchObject({ token: '203.0.113.666', message: '"203.0.113.666" is not an IP address: give one IPv4 or IPv6 address, e.g. 203.0.113.5' });
    expect(expectError(await env.api.call('DELETE', '/v1/bans/192.0.2.1', { token: operator }), 404, 'not-found').message).toBe('192.0.2.1 is not banned');
    expectError(await env.api.call('GET', '/v1/bans?address=203.0.113.66', { token: operator }), 400, 'invalid', 'address');
  });

  it('lifts a ban now, however the address is spelt, logging who lifted it; lifting it again is a 404', async () => {
    const lifted = await env.api.call('DELETE', `/v1/bans/${encodeURIComponent('2001:DB8:0:0::66')}`, { token: operator, from: '192.0.2.8' });
    expect(lifted).toMatchObject({ status: 200, body: { address: '2001:db8::66' } });
    expect((await bans.list()).map((b) => b.address)).toEqual(['198.51.100.99', '203.0.113.66']);
    expect(env.stack.logs.lines().some((l) => l.msg === 'admin api: ban lifted' && l.address === '2001:db8::66' && String(l.actor).startsWith('operator (token ') && l.client === '192.0.2.8')).toBe(true);
    expectError(await env.api.call('DELETE', `/v1/bans/${encodeURIComponent('2001:db8::66')}`, { token: operator }), 404, 'not-found');
    // A ban added by hand is lifted the same way.
    expect((await env.api.call('DELETE', '/v1/bans/198.51.100.99', { token: operator })).status).toBe(200);
    expect(await env.stack.redis.client().sismember(bans.setKey, '198.51.100.99')).toBe(0);
  });
});
