/**
 * The `sipwarden` CLI as admins and scripts run it: a subprocess per command
 * against a redis-server of the test's own. Each test works on its own tenant,
 * so the tests run concurrently; lists are seeded and read back in-process
 * through the same admin core where the CLI itself is not what is tested.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImport } from '../../src/admin/entry-import.js';
import { type AdminStore, openAdminStore } from '../../src/admin/open-admin.js';
import { EnvErrors } from '../../src/config/env.js';
import { type RedisStoreConfig, storeConfig } from '../../src/config/store-config.js';
import type { Scope } from '../../src/policy/index.js';
import type { ListEntry } from '../../src/store/list-state.js';
import { freePort } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { Cli } from './support/cli-process.js';

let redis: RedisServer;
let store: AdminStore;
let cli: Cli;
let dir: string;

const seeder = { name: 'seed' };

beforeAll(async () => {
  redis = await RedisServer.start();
  cli = new Cli(redis.url);
  store = (await openAdminStore(storeConfig({ REDIS_URL: redis.url }, new EnvErrors()) as RedisStoreConfig, pino({ level: 'silent' }), 2000))!;
  dir = mkdtempSync(join(tmpdir(), 'sipwarden-cli-'));
});

afterAll(async () => {
  store.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function seed(tenant: string, lines: string, scope: Scope = 'sip', active = true): Promise<void> {
  const result = await store.admin.importEntries(seeder, { tenant, scope }, parseImport(lines, active), false);
  if (!result.ok) throw new Error(result.failure.message);
}

async function listed(tenant: string, scope: Scope = 'sip') {
  const shown = await store.admin.show({ tenant, scope });
  if (!shown.ok) throw new Error(shown.failure.message);
  return shown.value;
}

const values = (entries: readonly ListEntry[]) => entries.map((e) => e.value);

// Each subprocess costs about a second of CPU (node + tsx + ioredis); concurrent tests queue for it.
describe.concurrent('sipwarden CLI', { timeout: 120_000 }, () => {
  it('adds, edits and deletes entries, recording descriptions, states, times and authors', async () => {
    const t = ['--tenant', 'entries.example'];
    const added = await cli.json(['add', '203.0.113.9/24', '-d', 'HQ office', ...t]);
    expect(added).toMatchObject({ tenant: 'entries.example', scope: 'sip', rev: 1, value: '203.0.113.0/24' });
    expect(added.entry).toMatchObject({ value: '203.0.113.0/24', active: true, description: 'HQ office', createdBy: 'tester' });
    const vpn = await cli.json(['add', '198.51.100.7', '--inactive', '--description', 'VPN', '--actor', 'bob', ...t]);
    expect(vpn.entry).toMatchObject({ active: false, createdBy: 'bob' });
    const edited = await cli.json(['edit', '198.51.100.7', '--active', '-d', 'VPN gateway', '--actor', 'carol', ...t]);
    expect(edited.entry).toMatchObject({ active: true, description: 'VPN gateway', createdBy: 'bob', updatedBy: 'carol' });
    expect((await listed('entries.example')).cidrs).toBe('203.0.113.0/24,198.51.100.7');

    const deleted = await cli.run(['delete', '203.0.113.0/24', ...t]);
    expect(deleted).toMatchObject({ code: 0, stdout: 'deleted 203.0.113.0/24 from entries.example/sip; rev 4\n' });
    expect(values((await listed('entries.example')).entries)).toEqual(['198.51.100.7']);
  });

  it('refuses a duplicate, an unknown entry, a malformed one and an empty edit, saying what to do', async () => {
    const t = ['--tenant', 'refusals.example'];
    await seed('refusals.example', '198.51.100.7 VPN');
    const [duplicate, missing, malformed, emptyEdit] = await Promise.all([
      cli.run(['add', '198.51.100.7', ...t]),
      cli.run(['delete', '192.0.2.1', ...t, '--json']),
      cli.run(['add', '010.0.0.1', ...t]),
      cli.run(['edit', '198.51.100.7', ...t]),
    ]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('198.51.100.7 is already in refusals.example/sip');
    expect(duplicate.stderr).toContain('sipwarden edit');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { kind: 'not-found', message: 'not in refusals.example/sip: 192.0.2.1' } });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(/"010\.0\.0\.1".*leading zero/);
    expect(emptyEdit.code).toBe(2);
    expect(emptyEdit.stderr).toContain('give --description, --active or --inactive');
    const after = await listed('refusals.example');
    expect([after.rev, values(after.entries)]).toEqual([1, ['198.51.100.7']]);
  });

  it("shows a tenant's scopes, or one, with the enforced string and filters", async () => {
    const t = ['--tenant', 'show.example'];
    await seed('show.example', '203.0.113.0/24 Head office\n198.51.100.7 VPN gateway\n2001:db8::/32 IPv6 office');
    await seed('show.example', '192.0.2.0/24 old branch', 'sip', false);
    const [all, byValue, byState, byDescription, bySearch] = await Promise.all([
      cli.run(['show', ...t]),
      cli.json(['show', '--scope', 'sip', '--value', '198.51', ...t]),
      cli.json(['show', '-s', 'sip', '--state', 'inactive', ...t]),
      cli.json(['show', '-s', 'sip', '--description', 'OFFICE', ...t]),
      cli.json(['show', '-s', 'sip', '--search', 'inactive', ...t]),
    ]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('show.example/sip: disabled (open to every address), rev 2');
    expect(all.stdout).toContain('enforced: 203.0.113.0/24,198.51.100.7,2001:db8::/32');
    expect(all.stdout).toMatch(/VALUE +STATE +DESCRIPTION +CREATED +BY +UPDATED +BY/);
    expect(all.stdout).toMatch(/192\.0\.2\.0\/24 +inactive +old branch +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +seed/);
    expect(all.stdout).toContain('show.example/webrtc: not configured (open to every address)');
    expect(all.stdout).toContain('show.example/recordings: not configured');
    expect(byValue).toMatchObject({ tenant: 'show.example', scope: 'sip', configured: true, enabled: false, rev: 2 });
    expect(byValue.cidrs).toBe('203.0.113.0/24,198.51.100.7,2001:db8::/32');
    expect(byValue.fingerprint).toBeUndefined();
    expect(byValue.entries).toEqual([{ value: '198.51.100.7', active: true, description: 'VPN gateway', createdAt: expect.any(String), createdBy: 'seed', updatedAt: expect.any(String), updatedBy: 'seed' }]);
    expect(values(byState.entries)).toEqual(['192.0.2.0/24']);
    expect(values(byDescription.entries)).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    expect(values(bySearch.entries)).toEqual(['192.0.2.0/24']);
  });

  it('imports from stdin: every bad line named by number and nothing written, or skipped with --skip-invalid', async () => {
    const t = ['--tenant', 'import.example'];
    const text = '# office networks\n203.0.113.0/24 Head office\n\n010.1.1.1 typo\n198.51.100.7 VPN, 198.51.100.8 VPN 2\n10.0.0.0/33\n';
    const refused = await cli.run(['import', ...t], { stdin: text });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('2 invalid lines, nothing written:');
    expect(refused.stderr).toMatch(/line 4: "010\.1\.1\.1".*leading zero/);
    expect(refused.stderr).toMatch(/line 6: "10\.0\.0\.0\/33"/);
    expect(refused.stderr).toContain('--skip-invalid');
    expect((await listed('import.example')).configured).toBe(false);

    const skipped = await cli.run(['import', '-', '--skip-invalid', ...t], { stdin: text });
    expect(skipped.code).toBe(0);
    expect(skipped.stdout).toBe('imported 3 entries into import.example/sip, which now has 3; rev 1\n');
    expect(skipped.stderr).toMatch(/^skipped 2 invalid lines:\n {2}line 4: .*\n {2}line 6: /);
    expect(skipped.stderr).not.toContain('validating'); // no progress line: stderr is not a terminal
    const list = await listed('import.example');
    expect(list.entries.map((e) => [e.value, e.description])).toEqual([
      ['203.0.113.0/24', 'Head office'],
      ['198.51.100.7', 'VPN'],
      ['198.51.100.8', 'VPN 2'],
    ]);
  });

  it('imports from a file, inactive on request, and reports a file it cannot read', async () => {
    const t = ['--tenant', 'import-file.example'];
    const file = join(dir, 'branches.txt');
    writeFileSync(file, '192.0.2.0/24 branch A\n192.0.3.0/24 branch B\n');
    const [imported, missing] = await Promise.all([
      cli.json(['import', file, '--inactive', ...t]),
      cli.run(['import', join(dir, 'missing.txt'), ...t]),
    ]);
    expect(imported).toMatchObject({ imported: 2, skipped: [], entries: 2, rev: 1 });
    expect((await listed('import-file.example')).entries.map((e) => e.active)).toEqual([false, false]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*missing\.txt: ENOENT/);
  });

  it('imports 100,000 entries from a file, with progress on a terminal', async () => {
    const file = join(dir, 'large.txt');
    const lines = Array.from({ length: 100_000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255} host ${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    // One Lua script writes all 100,000 entries: give it more than the default 5 s on a busy test machine.
    const run = await cli.run(['import', file, '--tenant', 'large.example'], { terminal: true, env: { SIPWARDEN_REDIS_COMMAND_TIMEOUT_MS: '60000' } });
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/\r\x1b\[Kvalidating and writing 100,000 entries to large\.example\/sip… \d+\.\d s/);
    expect(run.stdout).toContain('imported 100000 entries into large.example/sip, which now has 100000; rev 1');
    const plain = redis.client();
    const [count, cidrs] = await Promise.all([plain.hlen('sipwarden:{large.example}:sip:entries'), plain.get('sipwarden:{large.example}:sip:cidrs')]);
    plain.disconnect();
    expect(count).toBe(100_000);
    expect(cidrs?.split(',')).toHaveLength(100_000);
  });

  it('replaces a list atomically, with a dry run that prints the diff and writes nothing', async () => {
    const t = ['--tenant', 'replace.example'];
    await seed('replace.example', '203.0.113.0/24 HQ\n198.51.100.7 VPN');
    await seed('replace.example', '192.0.2.0/24 parked', 'sip', false);
    const human = await cli.run(['replace', '203.0.113.0/24, 10.0.0.0/8', '--dry-run', ...t]);
    expect(human.stdout).toBe(
      'dry run, nothing written: replace.example/sip would get 1 added, 1 removed, 1 unchanged\n+ 10.0.0.0/8\n- 198.51.100.7\n  203.0.113.0/24\n',
    );
    expect((await listed('replace.example')).rev).toBe(2);

    const replaced = await cli.json(['replace', '-', ...t], { stdin: '203.0.113.0/24,\n10.0.0.0/8\n' });
    expect(replaced).toEqual({ tenant: 'replace.example', scope: 'sip', dryRun: false, rev: 3, added: ['10.0.0.0/8'], removed: ['198.51.100.7'], unchanged: ['203.0.113.0/24'] });
    const list = await listed('replace.example');
    expect(list.cidrs).toBe('203.0.113.0/24,10.0.0.0/8');
    expect(list.entries.map((e) => [e.value, e.active, e.description])).toEqual([
      ['203.0.113.0/24', true, 'HQ'],
      ['10.0.0.0/8', true, undefined],
      ['192.0.2.0/24', false, 'parked'],
    ]);

    const file = join(dir, 'replace.csv');
    writeFileSync(file, '10.0.0.0/8');
    expect(await cli.json(['replace', '--file', file, ...t])).toMatchObject({ rev: 4, removed: ['203.0.113.0/24'], unchanged: ['10.0.0.0/8'] });
  });

  it('refuses an invalid replacement naming every bad entry, and a replacement given twice or not at all', async () => {
    const t = ['--tenant', 'replace-refused.example'];
    await seed('replace-refused.example', '203.0.113.0/24');
    const [invalid, twice, none] = await Promise.all([
      cli.run(['replace', '10.0.0.0/8, 1.2.3, ,192.0.2.0/24', ...t]),
      cli.run(['replace', '10.0.0.0/8', '--file', 'x.csv', ...t]),
      cli.run(['replace', ...t]),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/2 invalid entries, nothing written:\n {2}entry 2: "1\.2\.3": .*\n {2}entry 3: "": empty entry/);
    expect((await listed('replace-refused.example')).cidrs).toBe('203.0.113.0/24');
    expect([twice.code, none.code]).toEqual([2, 2]);
    expect(twice.stderr).toContain('not both');
    expect(none.stderr).toContain('--file');
  });

  it('enables, disables and deletes entries in bulk: by values, by filter, or all', async () => {
    const t = ['--tenant', 'bulk.example'];
    await seed('bulk.example', '192.0.2.1 agent\n192.0.2.2 agent\n192.0.2.3 manager\n192.0.2.4 contractor\n192.0.2.5 contractor');
    expect(await cli.json(['bulk', 'disable', '--values', '192.0.2.1,192.0.2.2', ...t])).toMatchObject({ action: 'disable', affected: 2, rev: 2 });
    expect(await cli.json(['bulk', 'delete', '--description', 'contractor', ...t])).toMatchObject({ affected: 2 });
    // Inactive entries come in the entries hash's order: compare sorted.
    expect((await listed('bulk.example')).entries.map((e) => `${e.value} ${e.active}`).sort()).toEqual(['192.0.2.1 false', '192.0.2.2 false', '192.0.2.3 true']);
    const enabled = await cli.run(['bulk', 'enable', '--all', ...t]);
    expect(enabled).toMatchObject({ code: 0, stdout: 'enabled 3 entries in bulk.example/sip; rev 4\n' });
    expect((await listed('bulk.example')).cidrs.split(',').sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);

    const [unknown, unselected, twice] = await Promise.all([
      cli.run(['bulk', 'delete', '--values', '192.0.2.1,192.0.2.99', ...t]),
      cli.run(['bulk', 'delete', ...t]),
      cli.run(['bulk', 'delete', '--all', '--state', 'active', ...t]),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not in bulk.example/sip: 192.0.2.99');
    expect([unselected.code, twice.code]).toEqual([2, 2]);
    expect(unselected.stderr).toContain('--values a,b,c, a filter');
    expect(twice.stderr).toContain('one way only');
    expect((await listed('bulk.example')).entries).toHaveLength(3);
  });

  it('refuses to lock the admin out, taking the address from --my-ip or SSH_CLIENT, unless forced', async () => {
    const t = ['--tenant', 'lockout.example'];
    await seed('lockout.example', '10.0.0.0/8 office');
    const [outsider, overSsh] = await Promise.all([
      cli.run(['enable', '--my-ip', '192.0.2.1', ...t]),
      cli.run(['enable', ...t], { env: { SSH_CLIENT: '192.0.2.1 50022 22' } }),
    ]);
    for (const refused of [outsider, overSsh]) {
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('would deny your own address 192.0.2.1 in lockout.example/sip');
      expect(refused.stderr).toContain('--force');
    }
    expect((await listed('lockout.example')).enabled).toBe(false);

    expect(await cli.json(['enable', ...t], { env: { SSH_CLIENT: '10.1.2.3 50022 22' } })).toMatchObject({ enabled: true, rev: 2 });
    const deleting = await cli.run(['delete', '10.0.0.0/8', '--my-ip', '10.1.2.3', ...t]);
    expect(deleting.code).toBe(1);
    expect(deleting.stderr).toContain('would deny your own address 10.1.2.3');
    expect((await listed('lockout.example')).cidrs).toBe('10.0.0.0/8');
    expect(await cli.json(['delete', '10.0.0.0/8', '--my-ip', '10.1.2.3', '--force', ...t])).toMatchObject({ rev: 3 });
    expect((await listed('lockout.example')).cidrs).toBe('');

    const admin = await cli.run(['add', '10.0.0.0/8', '--scope', 'admin', ...t]);
    expect(admin.code).toBe(1);
    expect(admin.stderr).toContain('give --my-ip');
    expect((await listed('lockout.example', 'admin')).configured).toBe(false);
  });

  it('switches a scope on and off and checks addresses against it, naming the matched entry', async () => {
    const t = ['--tenant', 'check.example'];
    await seed('check.example', '203.0.113.0/24 Head office\n198.51.100.7');
    const [off, invalid] = await Promise.all([cli.json(['check', '192.0.2.1', ...t]), cli.run(['check', 'not-an-ip', ...t])]);
    expect(off).toMatchObject({ address: '192.0.2.1', allow: true, reason: 'scope-disabled' });
    expect(await cli.run(['enable', ...t])).toMatchObject({ code: 0, stdout: 'check.example/sip enabled; rev 2\n' });
    const [matched, denied] = await Promise.all([cli.json(['check', '203.0.113.77', ...t]), cli.run(['check', '192.0.2.1', ...t])]);
    expect(matched).toEqual({ tenant: 'check.example', scope: 'sip', address: '203.0.113.77', allow: true, reason: 'matched', entry: { value: '203.0.113.0/24', description: 'Head office' }, addressCountry: 'AU' });
    expect(denied).toMatchObject({ code: 0, stdout: 'deny 192.0.2.1 in check.example/sip: no active entry contains it; no country known for the address\n' });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('"not-an-ip" is not an IP address');
    expect(await cli.json(['disable', ...t])).toMatchObject({ enabled: false, rev: 3 });
    expect((await listed('check.example')).enabled).toBe(false);
  });

  it('check --exit-status exits 0 allowed and 1 denied, keeping 2 for usage errors and 3 for Redis unreachable', async () => {
    const t = ['--tenant', 'exit-status.example'];
    await seed('exit-status.example', '203.0.113.0/24 Head office');
    const enabled = await store.admin.setEnabled(seeder, { tenant: 'exit-status.example', scope: 'sip' }, true);
    expect(enabled.ok).toBe(true);
    const unreachable = { env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, SIPWARDEN_REDIS_COMMAND_TIMEOUT_MS: '300' } };
    const [allowed, denied, deniedJson, plainDenied, notAnAddress, noRedis] = await Promise.all([
      cli.run(['check', '203.0.113.7', '--exit-status', ...t]),
      cli.run(['check', '192.0.2.1', '--exit-status', ...t]),
      cli.run(['check', '192.0.2.1', '--exit-status', '--json', ...t]),
      cli.run(['check', '192.0.2.1', ...t]),
      cli.run(['check', 'not-an-ip', '--exit-status', ...t]),
      cli.run(['check', '203.0.113.7', '--exit-status', ...t], unreachable),
    ]);
    expect(allowed).toMatchObject({ code: 0, stdout: 'allow 203.0.113.7 in exit-status.example/sip: matched 203.0.113.0/24 (Head office); country AU\n' });
    expect(denied).toMatchObject({ code: 1, stdout: 'deny 192.0.2.1 in exit-status.example/sip: no active entry contains it; no country known for the address\n', stderr: '' });
    expect(deniedJson.code).toBe(1);
    expect(JSON.parse(deniedJson.stdout)).toMatchObject({ address: '192.0.2.1', allow: false, reason: 'no-match' });
    expect(plainDenied.code).toBe(0);
    expect(notAnAddress.code).toBe(2);
    expect(notAnAddress.stderr).toContain('"not-an-ip" is not an IP address: give one IPv4 or IPv6 address');
    expect(noRedis.code).toBe(3);
    // What a shell script does with it.
    const script = (ip: string) => `if "$@" >/dev/null; then echo "${ip} allowed"; else echo "${ip} not allowed ($?)"; fi`;
    const branches = await Promise.all(['203.0.113.7', '192.0.2.1'].map((ip) => cli.shell(['check', ip, '--exit-status', ...t], script(ip))));
    expect(branches.map((b) => b.stdout)).toEqual(['203.0.113.7 allowed\n', '192.0.2.1 not allowed (1)\n']);
  });

  it('ends quietly with its own status when the reader of its output stops early (| head -1)', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24 branch office number ${i} of the pipe test`).join('\n');
    await seed('pipe.example', lines);
    const t = ['--tenant', 'pipe.example', '--scope', 'sip'];
    const [human, json, exported, help] = await Promise.all([
      cli.pipe(['show', ...t], 'head -1'),
      cli.pipe(['show', '--json', ...t], 'head -1'),
      cli.pipe(['export', '--format', 'lines', ...t], 'head -1'),
      cli.pipe(['--help'], 'head -1'),
    ]);
    expect(human).toEqual({ code: 0, stdout: expect.stringMatching(/^pipe\.example\/sip: .*\n$/), stderr: '' });
    expect(json).toEqual({ code: 0, stdout: '{\n', stderr: '' });
    expect(exported).toEqual({ code: 0, stdout: '10.0.0.0/24\n', stderr: '' });
    expect(help).toEqual({ code: 0, stdout: 'Usage: sipwarden [options] [command]\n', stderr: '' });
  });

  it('exports the enforced entries comma-separated or one per line, and every entry with its state as JSON', async () => {
    const t = ['--tenant', 'export.example'];
    await seed('export.example', '203.0.113.0/24 HQ\n2001:db8::/32');
    await seed('export.example', '192.0.2.0/24 parked', 'sip', false);
    const [csv, lines, json] = await Promise.all([
      cli.run(['export', ...t]),
      cli.run(['export', '--format', 'lines', ...t]),
      cli.run(['export', '--format', 'json', ...t]),
    ]);
    expect(csv.stdout).toBe('203.0.113.0/24,2001:db8::/32\n');
    expect(lines.stdout).toBe('203.0.113.0/24\n2001:db8::/32\n');
    const exported = JSON.parse(json.stdout);
    // The export the API gives too: the list's entries, not its state (show --json has cidrs and rev).
    expect(Object.keys(exported)).toEqual(['tenant', 'scope', 'enabled', 'entries']);
    expect(exported).toMatchObject({ tenant: 'export.example', scope: 'sip', enabled: false });
    expect(exported.entries.map((e: ListEntry) => [e.value, e.active, e.description])).toEqual([
      ['203.0.113.0/24', true, 'HQ'],
      ['2001:db8::/32', true, undefined],
      ['192.0.2.0/24', false, 'parked'],
    ]);
  });

  it("shows a tenant's audit log, newest first, with who, from where, and what changed", async () => {
    const t = ['--tenant', 'audit.example'];
    await store.admin.addEntry(seeder, { tenant: 'audit.example', scope: 'sip' }, { value: '198.51.100.0/24', description: 'NOC', active: true });
    await store.admin.addEntry(seeder, { tenant: 'audit.example', scope: 'sip' }, { value: '203.0.113.0/24', active: true });
    await cli.json(['bulk', 'disable', '--values', '203.0.113.0/24', '--actor', 'dave', '--my-ip', '198.51.100.1', ...t]);
    const [records, human] = await Promise.all([cli.json(['audit', '--limit', '2', ...t]), cli.run(['audit', ...t])]);
    expect(records.map((r: { action: string; rev: number }) => [r.action, r.rev])).toEqual([
      ['bulk-disable', 3],
      ['add', 2],
    ]);
    expect(records[0]).toMatchObject({ tenant: 'audit.example', scope: 'sip', actor: 'dave', address: '198.51.100.1', removed: ['203.0.113.0/24'] });
    expect(records[0].before).toMatchObject({ active: 2, inactive: 0 });
    expect(records[0].after).toMatchObject({ active: 1, inactive: 1 });
    expect(human.stdout).toMatch(/AT +ACTOR +FROM +SCOPE +ACTION +REV +CHANGE/);
    expect(human.stdout).toMatch(/dave +198\.51\.100\.1 +sip +bulk-disable +3 +-203\.0\.113\.0\/24; 1 active, 1 inactive/);
    expect(human.stdout).toMatch(/seed +sip +add +1 +\+198\.51\.100\.0\/24; 1 active, 0 inactive/);
  });

  it('shows a change that enforces nothing new with empty diffs, as arrays in JSON', async () => {
    const t = ['--tenant', 'audit-empty.example'];
    await store.admin.addEntry(seeder, { tenant: 'audit-empty.example', scope: 'sip' }, { value: '192.0.2.0/24', active: true });
    await cli.json(['edit', '192.0.2.0/24', '--description', 'HQ', ...t]);
    const [records, human] = await Promise.all([cli.json(['audit', '--limit', '1', ...t]), cli.run(['audit', '--limit', '1', ...t])]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'edit', rev: 2, added: [], removed: [] });
    expect(human.stdout).toMatch(/tester +sip +edit +2 +no change to what is enforced; 1 active, 0 inactive/);
  });

  it('creates API tokens shown once and stored hashed, lists and revokes them', async () => {
    const created = await cli.json(['token', 'create', '--tenant', 'token.example', '--name', 'portal']);
    expect(created).toMatchObject({ tenant: 'token.example', name: 'portal', createdBy: 'tester' });
    expect(created.token).toMatch(new RegExp(`^swd_${created.id}_[A-Za-z0-9_-]{43}$`));
    expect((await store.tokens.verify(created.token))?.tenant).toBe('token.example');
    const plain = redis.client();
    const stored = await plain.hget('sipwarden:tokens', created.id);
    plain.disconnect();
    // The secret is everything after `swd_<id>_`; base64url may put '_' in it, so it is not split on '_'.
    const secret = (created.token as string).slice(`swd_${created.id}_`.length);
    expect(secret).toHaveLength(43);
    expect(stored).not.toContain(secret);

    const [human, listing] = await Promise.all([cli.run(['token', 'create', '--tenant', '*', '--name', 'noc']), cli.json(['token', 'list'])]);
    expect(human.stdout).toMatch(/^swd_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    expect(human.stderr).toMatch(/^token [0-9a-f]{16} for every tenant \("noc"\): store it now/);
    expect((await store.tokens.verify(human.stdout.trim()))?.tenant).toBe('*');
    expect(listing.find((i: { id: string }) => i.id === created.id)).toEqual({ id: created.id, tenant: 'token.example', name: 'portal', createdAt: created.createdAt, createdBy: 'tester' });

    expect(await cli.json(['token', 'revoke', created.id])).toEqual({ id: created.id, revoked: true });
    expect(await store.tokens.verify(created.token)).toBeUndefined();
    const again = await cli.run(['token', 'revoke', created.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('sipwarden token list');
  });

  it('maps, lists and unmaps SIP domains', async () => {
    expect(await cli.json(['domain', 'map', 'PBX.Domains.example', 'domains.example'])).toEqual({ domain: 'pbx.domains.example', tenant: 'domains.example' });
    const [listing, invalid] = await Promise.all([cli.json(['domain', 'list']), cli.run(['domain', 'map', 'bad domain', 'domains.example'])]);
    expect(listing).toContainEqual({ domain: 'pbx.domains.example', tenant: 'domains.example' });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('"bad domain" is not a domain name');
    expect(await cli.run(['domain', 'unmap', 'pbx.domains.example'])).toMatchObject({ code: 0, stdout: 'unmapped pbx.domains.example\n' });
    expect((await store.admin.listDomains()).has('pbx.domains.example')).toBe(false);
    const again = await cli.run(['domain', 'unmap', 'pbx.domains.example']);
    expect([again.code, again.stderr]).toEqual([1, 'pbx.domains.example is not mapped\nrun `sipwarden domain list` to see the mappings\n']);
  });

  it('loses no update when 10 admins add entries at the same moment', async () => {
    const adds = Array.from({ length: 10 }, (_, i) => cli.run(['add', `192.0.2.${i}`, '--tenant', 'concurrent.example', '--actor', `admin${i}`]));
    const runs = await Promise.all(adds);
    expect(runs.map((r) => r.code)).toEqual(Array(10).fill(0));
    const list = await listed('concurrent.example');
    expect(values(list.entries).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `192.0.2.${i}`).sort());
    expect(list.rev).toBe(10);
    expect(new Set(list.entries.map((e) => e.createdBy)).size).toBe(10);
  });

  it('exits 3 when Redis does not answer, naming the URL without its password', async () => {
    const url = `redis://admin:s3cret@127.0.0.1:${await freePort()}`;
    const env = { REDIS_URL: url, SIPWARDEN_REDIS_COMMAND_TIMEOUT_MS: '300' };
    const [human, json] = await Promise.all([cli.run(['show'], { env }), cli.run(['add', '192.0.2.1', '--json'], { env })]);
    expect(human.code).toBe(3);
    expect(human.stderr).toMatch(/cannot reach Redis at redis:\/\/admin:\*\*\*@127\.0\.0\.1:\d+ .*check that redis-server is running/);
    expect(human.stderr).not.toContain('s3cret');
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { kind: 'unreachable' } });
  });

  it('exits 2 on usage errors, commander\'s own included, and without REDIS_URL', async () => {
    const runs = await Promise.all([
      cli.run(['show'], { env: { REDIS_URL: undefined } }),
      cli.run([]),
      cli.run(['frobnicate']),
      cli.run(['token', 'create', '--tenant', 'acme']),
      cli.run(['show', '--scope', 'voicemail']),
      cli.run(['show', '--tenant', 'a}b']),
      cli.run(['add', '192.0.2.1', '--my-ip', 'me']),
      cli.run(['import'], { terminal: true }),
    ]);
    expect(runs.map((r) => r.code)).toEqual(Array(runs.length).fill(2));
    const [noUrl, nothing, unknown, missing, scope, tenant, myIp, noInput] = runs.map((r) => r.stderr + r.stdout);
    expect(noUrl).toContain('REDIS_URL is not set');
    expect(noUrl).toContain('set REDIS_URL=redis://');
    expect(nothing).toContain('Usage: sipwarden');
    expect(unknown).toContain("unknown command 'frobnicate'");
    expect(missing).toContain("required option '--name <name>' not specified");
    expect(scope).toContain('Allowed choices are sip, webrtc, admin, recordings');
    expect(tenant).toContain('a tenant is letters, digits');
    expect(myIp).toContain('give your own IPv4 or IPv6 address');
    expect(noInput).toContain('pipe the entries in');
  });

  it('documents every command in --help, and exits 0 for it', async () => {
    const [top, importHelp] = await Promise.all([cli.run(['--help']), cli.run(['import', '--help'])]);
    expect(top.code).toBe(0);
    for (const command of ['show', 'add', 'edit', 'delete', 'import', 'replace', 'bulk', 'enable', 'disable', 'check', 'export', 'audit', 'token', 'domain']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
    expect(top.stdout).toContain('3 Redis unreachable');
    expect(importHelp.code).toBe(0);
    expect(importHelp.stdout).toContain('--skip-invalid');
    expect(importHelp.stdout).toContain('reported with its line number');
  });
});
