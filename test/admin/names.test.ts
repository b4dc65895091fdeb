/**
 * DNS name entries in the admin tools, against a real DNS server (dnsmasq on
 * loopback) and a real redis-server: the CLI as a subprocess given
 * SIPWARDEN_DNS_SERVERS, the API over real HTTP with an admin store opened
 * with the same resolver settings. Each shows a name's addresses, state and
 * time of resolution, explains a check through a name, and its lockout
 * guard counts a name's current addresses (and nothing for a name that does
 * not resolve).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImport } from '../../src/admin/entry-import.js';
import { type AdminStore, openAdminStore } from '../../src/admin/open-admin.js';
import { DNS_DEFAULTS } from '../../src/dns/index.js';
import type { RedisStoreConfig } from '../../src/config/store-config.js';
import type { ListId } from '../../src/store/keys.js';
import { Dnsmasq } from '../support/dnsmasq.js';
import { type ApiClient, ApiStack, path } from './api-harness.js';
import { Cli } from './support/cli-process.js';

const AGENT = 'agent7.dyn.test';
const AGENT_AT = '198.51.100.7';
/** The API test client connects from 127.0.0.1: a name resolving to it is the only way the caller is allowed. */
const LOCAL = 'admin-host.dyn.test';
const GONE = 'gone.dyn.test';
const LONG = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(30)}.dyn.test`;

let dns: Dnsmasq;
let stack: ApiStack;
let store: AdminStore;
let api: ApiClient;
let cli: Cli;
let token: string;
const seeder = { name: 'seed' };

beforeAll(async () => {
  dns = await Dnsmasq.start({ [AGENT]: [AGENT_AT], [LOCAL]: ['127.0.0.1'], [LONG]: ['192.0.2.77'] }, 1);
  stack = await ApiStack.start();
  const config: RedisStoreConfig = { ...stack.config, dns: { ...DNS_DEFAULTS, servers: [dns.server], timeoutMs: 500 } };
  store = (await openAdminStore(config, pino({ level: 'silent' }), 2000))!;
  api = await stack.api({}, store.admin);
  cli = new Cli(stack.redis.url);
  token = await stack.token();
});

afterAll(async () => {
  store?.close();
  await stack?.close();
  await dns?.close();
});

async function seed(id: ListId, lines: string, enabled = true): Promise<void> {
  const imported = await store.admin.importEntries(seeder, id, parseImport(lines, true), false);
  if (!imported.ok) throw new Error(imported.failure.message);
  if (enabled) await store.admin.setEnabled(seeder, id, true);
}

const dnsEnv = () => ({ env: { SIPWARDEN_DNS_SERVERS: dns.server, SIPWARDEN_DNS_TIMEOUT_MS: '500' } });
const call = (method: string, route: string, json?: unknown) => api.call(method, route, { token, ...(json !== undefined && { json }) });

describe.concurrent('DNS name entries in the admin tools', { timeout: 60_000 }, () => {
  it('show lists a name with the addresses it resolves to, its state and when it was resolved; a failing name as failed', async () => {
    const t = ['--tenant', 'show.example'];
    await seed({ tenant: 'show.example', scope: 'sip' }, `203.0.113.0/24 HQ\n${AGENT} Anna's home office\n${GONE} old VPN`);
    const before = Date.now();
    const text = await cli.run(['show', '--scope', 'sip', ...t], dnsEnv());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`\\n  ${AGENT} resolves to ${AGENT_AT} \\(resolved, last resolved \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\)`));
    expect(text.stdout).toContain(`  ${GONE} resolves to nothing (failed: nxdomain, never resolved)`);

    const json = await cli.json(['show', '--scope', 'sip', ...t], dnsEnv());
    const agent = json.entries.find((e: { value: string }) => e.value === AGENT);
    expect(agent).toMatchObject({ description: "Anna's home office", resolution: { state: 'resolved', addresses: [AGENT_AT] } });
    expect(Date.parse(agent.resolution.resolvedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(json.entries.find((e: { value: string }) => e.value === GONE).resolution).toEqual({ state: 'failed', addresses: [], failure: 'nxdomain', failingSince: expect.any(String) });
    expect(json.entries.find((e: { value: string }) => e.value === '203.0.113.0/24').resolution).toBeUndefined();

    const listed = await call('GET', path('show.example', 'sip'));
    expect(listed.status).toBe(200);
    expect(listed.body.entries.find((e: { value: string }) => e.value === AGENT).resolution).toMatchObject({ state: 'resolved', addresses: [AGENT_AT], resolvedAt: expect.any(String) });
    expect(listed.body.entries.find((e: { value: string }) => e.value === GONE).resolution).toMatchObject({ state: 'failed', addresses: [], failure: 'nxdomain' });
    const scopes = await call('GET', `/v1/tenants/show.example/scopes`);
    expect(scopes.body.scopes.find((s: { scope: string }) => s.scope === 'sip').entries.find((e: { value: string }) => e.value === AGENT).resolution.addresses).toEqual([AGENT_AT]);
    const one = await call('GET', path('show.example', 'sip', `/entries/${AGENT.toUpperCase()}`));
    expect(one.body).toMatchObject({ value: AGENT, resolution: { state: 'resolved', addresses: [AGENT_AT] } });
  });

  it('a DNS server that does not answer shows the names as failed without failing the command', async () => {
    await seed({ tenant: 'nodns.example', scope: 'sip' }, AGENT);
    const started = Date.now();
    const shown = await cli.json(['show', '--scope', 'sip', '--tenant', 'nodns.example'], { env: { SIPWARDEN_DNS_SERVERS: '127.0.0.1:9', SIPWARDEN_DNS_TIMEOUT_MS: '300' } });
    expect(shown.entries[0].resolution).toMatchObject({ state: 'failed', addresses: [] });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('check explains a match through a name, and says a name fails to resolve', async () => {
    const t = ['--tenant', 'check.example'];
    await seed({ tenant: 'check.example', scope: 'sip' }, `203.0.113.0/24 HQ\n${AGENT} Anna's home office\n${GONE} old VPN`);
    const text = await cli.run(['check', AGENT_AT, ...t], dnsEnv());
    expect(text.stdout).toBe(
      `allow ${AGENT_AT} in check.example/sip: matched ${AGENT} (Anna's home office) which resolves to ${AGENT_AT}; ${GONE} fails to resolve (nxdomain): it matches nothing; country AU\n`,
    );
    const json = await cli.json(['check', AGENT_AT, ...t], dnsEnv());
    expect(json).toMatchObject({ allow: true, reason: 'matched', entry: { value: AGENT, description: "Anna's home office", resolved: { name: AGENT, address: AGENT_AT } } });
    expect(json.failing).toEqual([{ name: GONE, state: 'failed', failure: 'nxdomain' }]);

    const checked = await call('GET', path('check.example', 'sip', `/check?ip=${AGENT_AT}`));
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ ip: AGENT_AT, allow: true, reason: 'matched', entry: { value: AGENT, resolved: { name: AGENT, address: AGENT_AT } } });
    expect(checked.body.failing).toEqual([{ name: GONE, state: 'failed', failure: 'nxdomain' }]);
    const denied = await cli.run(['check', '192.0.2.200', ...t], dnsEnv());
    expect(denied.stdout).toBe(`deny 192.0.2.200 in check.example/sip: no active entry contains it; ${GONE} fails to resolve (nxdomain): it matches nothing; no country known for the address\n`);
  });

  it('the lockout guard protects an admin allowed through a name, and does not count a name that fails to resolve', async () => {
    const id = { tenant: 'guard.example', scope: 'sip' } as const;
    const t = ['--tenant', 'guard.example'];
    await seed(id, `203.0.113.0/24 HQ\n${AGENT} Anna\n${GONE} old VPN`);
    for (const args of [['delete', AGENT], ['edit', AGENT, '--inactive']]) {
      const refused = await cli.run([...args, '--my-ip', AGENT_AT, ...t], dnsEnv());
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toContain(`would deny your own address ${AGENT_AT} in guard.example/sip`);
    }
    expect(await cli.json(['edit', AGENT, '--inactive', '--my-ip', AGENT_AT, '--force', ...t], dnsEnv())).toMatchObject({ entry: { active: false } });
    // Allowed through 203.0.113.5 now; deleting that entry would leave only a name that does not resolve: refused.
    const onlyGone = await cli.run(['delete', '203.0.113.0/24', '--my-ip', '203.0.113.5', ...t], dnsEnv());
    expect(onlyGone.code).toBe(1);
    expect(onlyGone.stderr).toContain('would deny your own address 203.0.113.5');

    // Through the API: the caller (127.0.0.1) is allowed only through a name.
    const viaApi = { tenant: 'guard-api.example', scope: 'sip' } as const;
    await seed(viaApi, `203.0.113.0/24 HQ\n${LOCAL} the admin's host`);
    const disabled = await call('PATCH', path(viaApi.tenant, 'sip', `/entries/${LOCAL}`), { active: false });
    expect(disabled.status).toBe(403);
    expect(disabled.body.message).toContain('would deny your own address 127.0.0.1');
    const deleted = await call('DELETE', path(viaApi.tenant, 'sip', `/entries/${LOCAL}`));
    expect(deleted.status).toBe(403);
    expect((await stack.stored(viaApi.tenant, 'sip')).cidrs).toBe(`203.0.113.0/24,${LOCAL}`);
  });

  it('documents resolution and check through a name in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/v1/openapi.json')).body;
    const schemas = doc.components.schemas;
    expect(schemas.Entry.properties.resolution).toBeDefined();
    expect(Object.keys(schemas.Resolution.properties)).toEqual(['state', 'addresses', 'resolvedAt', 'failure', 'failingSince']);
    expect(JSON.stringify(schemas.Check)).toContain('resolved');
    expect(JSON.stringify(doc)).toContain('DNS name');
  });

  it('the API accepts a name entry of more than 200 characters', async () => {
    expect(LONG.length).toBeGreaterThan(200);
    const added = await call('POST', path('long.example', 'sip', '/entries'), { value: LONG, description: 'long name' });
    expect(added.status, added.text).toBe(201);
    expect(added.body.entry).toMatchObject({ value: LONG, active: true });
    const shown = await call('GET', path('long.example', 'sip', `/entries/${LONG}`));
    expect(shown.body.resolution).toMatchObject({ state: 'resolved', addresses: ['192.0.2.77'] });
    const tooLong = await call('POST', path('long.example', 'sip', '/entries'), { value: `${'a'.repeat(250)}.test` });
    expect(tooLong.status).toBe(400);
  });
});
