/**
 * Who is knocking, for admins (issue 14): GET …/denied and `sipwarden
 * denied` show what the edges recorded in a real redis-server; allowing a
 * denied source (POST …/denied/{address}/allow, `sipwarden allow-denied`)
 * adds it to its scope's list in one step and drops it from the record.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RedisBanList } from '../../src/store/ban-list.js';
import type { RedisDeniedLog } from '../../src/store/denied-log.js';
import { apiForTests, expectError, path, tenantPath } from './api-harness.js';
import { Cli } from './support/cli-process.js';
import { LAST, deniedStores, seen } from '../support/denied-sources.js';

const env = apiForTests();
let token: string;
let record: RedisDeniedLog;
let bans: RedisBanList;


beforeAll(async () => {
  token = await env.stack.token('moved.example', 'portal');
  ({ record, bans } = await deniedStores(env.stack.redis.url));
  await record.add([
    seen('198.51.100.20', 40, 1),
    seen('203.0.113.9', 9000, 5, { userAgent: 'friendly-scanner', method: 'OPTIONS' }),
    seen('192.0.2.44', 3, 10, { scope: 'webrtc', transport: 'wss', userAgent: 'Mozilla/5.0' }),
    seen('192.0.2.44', 2, 12),
  ]);
});

describe('denied sources through the API', () => {
  it('lists them newest or busiest first, one scope or all, with the last request described', async () => {
    const recent = await env.api.call('GET', tenantPath('moved.example', '/denied'), { token });
    expect(recent.status).toBe(200);
    expect(recent.body.sources.map((s: { address: string }) => s.address)).toEqual(['198.51.100.20', '203.0.113.9', '192.0.2.44', '192.0.2.44']);
    expect(recent.body.sources[0]).toEqual({
      scope: 'sip',
      address: '198.51.100.20',
      count: 40,
      firstSeen: '2026-12-03T09:00:00.000Z',
      lastSeen: '2026-12-03T09:59:00.000Z',
      method: 'REGISTER',
      transport: 'udp',
      userAgent: 'Yealink SIP-T46U',
      domain: 'pbx.moved.example',
    });
    const busiest = await env.api.call('GET', tenantPath('moved.example', '/denied?order=busiest&scope=sip&limit=2'), { token });
    expect(busiest.body.sources.map((s: { count: number }) => s.count)).toEqual([9000, 40]);
    expectError(await env.api.call('GET', tenantPath('moved.example', '/denied?order=loudest'), { token }), 400, 'invalid', 'order');
    expectError(await env.api.call('GET', tenantPath('other.example', '/denied'), { token }), 403, 'forbidden');
  });

  it('allows a denied source in one step: an active entry with a description saying why, gone from the record', async () => {
    const allowed = await env.api.call('POST', tenantPath('moved.example', '/denied/198.51.100.20/allow'), { token, json: {} });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ tenant: 'moved.example', scope: 'sip', entry: { value: '198.51.100.20', active: true, description: 'allowed after 40 denials (last 2026-12-03T09:59:00.000Z, Yealink SIP-T46U)' } });
    expect((await env.stack.stored('moved.example', 'sip')).entries.map((e) => e.value)).toEqual(['198.51.100.20']);
    expect((await record.read('moved.example')).map((s) => s.address)).not.toContain('198.51.100.20');
    const audit = await env.api.call('GET', tenantPath('moved.example', '/audit'), { token });
    expect(audit.body.records[0]).toMatchObject({ action: 'add', added: ['198.51.100.20'] });
  });

  it('asks for the scope when the address was denied in two, and refuses what is no address or was never denied', async () => {
    const both = expectError(await env.api.call('POST', tenantPath('moved.example', '/denied/192.0.2.44/allow'), { token, json: {} }), 400, 'invalid', 'scope');
    expect(both.message).toBe('192.0.2.44 was denied in webrtc and sip: name the scope');
    const webrtc = await env.api.call('POST', tenantPath('moved.example', '/denied/192.0.2.44/allow'), { token, json: { scope: 'webrtc', description: 'Anna, new flat' } });
    expect(webrtc.body).toMatchObject({ scope: 'webrtc', entry: { value: '192.0.2.44', description: 'Anna, new flat' } });
    expect((await record.read('moved.example', { scope: 'sip' })).map((s) => s.address)).toContain('192.0.2.44');
    expectError(await env.api.call('POST', tenantPath('moved.example', '/denied/10.9.9.9/allow'), { token, json: {} }), 404, 'not-found');
    expectError(await env.api.call('POST', tenantPath('moved.example', '/denied/not-an-ip/allow'), { token, json: {} }), 400, 'invalid', 'address');
    expect((await env.api.call('GET', path('moved.example', 'webrtc'), { token })).body.cidrs).toBe('192.0.2.44');
  });
});

describe('sipwarden denied and allow-denied (CLI)', { timeout: 120_000 }, () => {
  it('shows the busiest first and allows one with a description of its own', async () => {
    const cli = new Cli(env.stack.redis.url);
    const t = ['--tenant', 'moved.example'];
    const shown = await cli.run(['denied', '--by', 'busiest', ...t]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^address\s+scope\s+denials\s+first\s+last\s+last request\s+user agent\s+domain$/i);
    expect(lines[1]).toMatch(/^203\.0\.113\.9\s+sip\s+9000\s.*OPTIONS udp\s+friendly-scanner\s+pbx\.moved\.example$/);
    const json = JSON.parse((await cli.run(['denied', '--json', '--scope', 'sip', ...t])).stdout);
    expect(json[0]).toMatchObject({ address: '203.0.113.9', count: 9000, lastSeen: '2026-12-03T09:55:00.000Z' });
    const allowed = await cli.run(['allow-denied', '203.0.113.9', '-d', 'not a scanner after all', ...t]);
    expect(allowed).toMatchObject({ code: 0, stdout: 'added 203.0.113.9 to moved.example/sip ("not a scanner after all"); rev 2\n' });
    const never = await cli.run(['allow-denied', '10.1.1.1', ...t]);
    expect(never.code).toBe(1);
    expect(never.stderr).toContain('10.1.1.1 was not denied for moved.example lately; name the scope to allow it anyway');
  });

  it('shows the bans with until when and why, and lifts one by hand', async () => {
    const cli = new Cli(env.stack.redis.url);
    await bans.ban('203.0.113.66', LAST + 3_600_000, { at: LAST, reason: 'denied 101 times within 10 s', tenant: 'moved.example', scope: 'sip', denials: 101, by: 'edge-1' });
    const shown = await cli.run(['bans']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^203\.0\.113\.66\s+2026-12-03 11:00:00Z\s+denied 101 times within 10 s\s+moved\.example\/sip\s+edge-1$/m);
    expect(JSON.parse((await cli.run(['bans', '--json'])).stdout)).toEqual([
      { address: '203.0.113.66', at: '2026-12-03T10:00:00.000Z', until: '2026-12-03T11:00:00.000Z', reason: 'denied 101 times within 10 s', tenant: 'moved.example', scope: 'sip', denials: 101, by: 'edge-1' },
    ]);
    expect(await cli.run(['unban', '203.0.113.66'])).toMatchObject({ code: 0, stdout: '203.0.113.66 unbanned\n' });
    expect(await bans.list()).toEqual([]);
    const again = await cli.run(['unban', '203.0.113.66']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('203.0.113.66 is not banned');
    expect((await cli.run(['unban', 'nope'])).code).toBe(2);
  });
});
