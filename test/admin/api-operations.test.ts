import { beforeAll, describe, expect, it } from 'vitest';
import { apiForTests, expectError, path, tenantPath } from './api-harness.js';

const env = apiForTests();
let token: string;

beforeAll(async () => {
  token = await env.stack.token('acme', 'portal');
});


describe('admin API: one entry at a time', () => {
  it('adds an entry, reads it back by any spelling, edits it and deletes it', async () => {
    const added = await env.api.call('POST', path('acme', 'sip', '/entries'), { token, json: { value: '203.0.113.9/24', description: 'HQ' } });
    expect(added.status).toBe(201);
    expect(added.body.entry).toMatchObject({ value: '203.0.113.0/24', active: true, description: 'HQ', createdBy: expect.stringMatching(/^portal \(token [0-9a-f]{16}\)$/) });
    expect(added.headers.get('location')).toBe('/v1/tenants/acme/scopes/sip/entries/203.0.113.0%2F24');

    const read = await env.api.call('GET', path('acme', 'sip', '/entries/203.0.113.77%2F24'), { token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ value: '203.0.113.0/24', description: 'HQ' });

    const edited = await env.api.call('PATCH', added.headers.get('location')!, { token, json: { active: false } });
    expect(edited.status).toBe(200);
    expect(edited.body.entry).toMatchObject({ value: '203.0.113.0/24', active: false, description: 'HQ' });
    expect(edited.body.rev).toBe(added.body.rev + 1);
    const shown = await env.api.call('GET', path('acme', 'sip'), { token });
    expect(shown.body).toMatchObject({ tenant: 'acme', scope: 'sip', cidrs: '', entries: [{ value: '203.0.113.0/24', active: false }] });
    expect(shown.body.fingerprint).toBeUndefined();

    const deleted = await env.api.call('DELETE', added.headers.get('location')!, { token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ rev: edited.body.rev + 1 });
    expectError(await env.api.call('GET', added.headers.get('location')!, { token }), 404, 'not-found');
    expectError(await env.api.call('DELETE', added.headers.get('location')!, { token }), 404, 'not-found');
  });

  it('refuses to add an entry that is already listed, however it is written', async () => {
    await env.api.call('POST', path('acme', 'webrtc', '/entries'), { token, json: { value: '198.51.100.0/24' } });
    const again = await env.api.call('POST', path('acme', 'webrtc', '/entries'), { token, json: { value: '198.51.100.99/24' } });
    expect(expectError(again, 409, 'exists').message).toContain('198.51.100.0/24');
  });
});

describe('admin API: showing and filtering', () => {
  beforeAll(async () => {
    const entries = ['192.0.2.0/24 Branch Office', '192.0.2.77 Alice home', '198.51.100.7 VPN gateway'].join('\n');
    await env.api.call('POST', path('filters', 'sip', '/entries:import'), { token: await env.stack.token('filters'), text: entries });
  });

  it('filters by value, state, description, and a quick search across all three', async () => {
    const t = await env.stack.token('filters');
    const values = async (query: string) => (await env.api.call('GET', path('filters', 'sip', query), { token: t })).body.entries.map((e: { value: string }) => e.value);
    await env.api.call('PATCH', path('filters', 'sip', '/entries/192.0.2.77'), { token: t, json: { active: false } });
    expect(await values('?value=192.0.2')).toEqual(['192.0.2.0/24', '192.0.2.77']);
    expect(await values('?state=inactive')).toEqual(['192.0.2.77']);
    expect(await values('?description=office')).toEqual(['192.0.2.0/24']);
    expect(await values('?q=vpn')).toEqual(['198.51.100.7']);
    expect(await values('?q=inactive')).toEqual(['192.0.2.77']);
    expect(await values('?value=192.0.2&state=active')).toEqual(['192.0.2.0/24']);
  });

  it('shows every scope of a tenant, configured or not', async () => {
    const all = await env.api.call('GET', tenantPath('filters', '/scopes'), { token: await env.stack.token('filters') });
    expect(all.status).toBe(200);
    expect(all.body.scopes.map((s: { scope: string; configured: boolean }) => [s.scope, s.configured])).toEqual([
      ['sip', true],
      ['webrtc', false],
      ['admin', false],
      ['recordings', false],
    ]);
  });
});

describe('admin API: switching a scope', () => {
  it('switches a scope on and off, and the edge enforces it', async () => {
    const t = await env.stack.token('toggle');
    // Played from inside the list, so switching it on does not lock the caller out.
    const from = '203.0.113.5';
    await env.api.call('POST', path('toggle', 'sip', '/entries'), { token: t, from, json: { value: '203.0.113.0/24' } });
    const on = await env.api.call('PUT', path('toggle', 'sip'), { token: t, from, json: { enabled: true } });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ tenant: 'toggle', scope: 'sip', enabled: true });
    await env.stack.settled('toggle', 'sip', '198.51.100.1', false);
    expect(env.stack.cache.decide('toggle', 'sip', '203.0.113.9').allow).toBe(true);

    const off = await env.api.call('PUT', path('toggle', 'sip'), { token: t, from, json: { enabled: false } });
    expect(off.body).toMatchObject({ enabled: false, rev: on.body.rev + 1 });
    await env.stack.settled('toggle', 'sip', '198.51.100.1', true);
  });
});

describe('admin API: mass insert', () => {
  it('imports lines with descriptions, comma-separated lines and comments', async () => {
    const t = await env.stack.token('import');
    const text = ['# offices', '203.0.113.0/24   Head office', '198.51.100.7 VPN, 198.51.100.8 VPN 2', '', '2001:db8::/32'].join('\n');
    const imported = await env.api.call('POST', path('import', 'sip', '/entries:import'), { token: t, text });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ imported: 4, skipped: [] });
    const shown = await env.api.call('GET', path('import', 'sip'), { token: t });
    expect(shown.body.entries.map((e: { value: string; description?: string }) => [e.value, e.description])).toEqual([
      ['203.0.113.0/24', 'Head office'],
      ['198.51.100.7', 'VPN'],
      ['198.51.100.8', 'VPN 2'],
      ['2001:db8::/32', undefined],
    ]);
  });

  it('imports JSON lines, each with its own state, the rest in the state asked for', async () => {
    const t = await env.stack.token('jsonl');
    const text = ['{"value":"192.0.2.1","description":"one"}', '{"value":"192.0.2.2","active":true}'].join('\n');
    const imported = await env.api.call('POST', path('jsonl', 'sip', '/entries:import?state=inactive'), { token: t, text, type: 'application/x-ndjson' });
    expect(imported.status).toBe(200);
    const shown = await env.api.call('GET', path('jsonl', 'sip'), { token: t });
    expect(shown.body.entries.map((e: { value: string; active: boolean }) => [e.value, e.active])).toEqual([
      ['192.0.2.2', true],
      ['192.0.2.1', false],
    ]);
  });

  it('refuses an import with bad lines, naming every one by line, and writes nothing', async () => {
    const t = await env.stack.token('badimport');
    const text = ['192.0.2.0/24 ok', '010.0.0.1 octal?', '192.0.2.300', '198.51.100.1'].join('\n');
    const refused = await env.api.call('POST', path('badimport', 'sip', '/entries:import'), { token: t, text });
    const error = expectError(refused, 400, 'invalid', 'body');
    expect(error.items.map((i: { line: number; token: string }) => [i.line, i.token])).toEqual([
      [2, '010.0.0.1'],
      [3, '192.0.2.300'],
    ]);
    expect(error.message).toContain('nothing written');
    expect((await env.api.call('GET', path('badimport', 'sip'), { token: t })).body.configured).toBe(false);
  });

  it('reports bad JSON lines together with bad entries, and skips them all on request', async () => {
    const t = await env.stack.token('badjsonl');
    const text = ['{"value":"192.0.2.1"}', 'not json', '{"value":"192.0.2.999"}', '{"value":"192.0.2.3","colour":"red"}', '{"value":"192.0.2.4"}'].join('\n');
    const refused = await env.api.call('POST', path('badjsonl', 'sip', '/entries:import'), { token: t, text, type: 'application/jsonl' });
    expect(expectError(refused, 400, 'invalid', 'body').items.map((i: { line: number }) => i.line)).toEqual([2, 3, 4]);

    const skipped = await env.api.call('POST', path('badjsonl', 'sip', '/entries:import?skipInvalid=true'), { token: t, text, type: 'application/jsonl' });
    expect(skipped.status).toBe(200);
    expect(skipped.body.imported).toBe(2);
    expect(skipped.body.skipped.map((i: { line: number }) => i.line)).toEqual([2, 3, 4]);
    expect(skipped.body.skipped[2].message).toContain('colour');
    const shown = await env.api.call('GET', path('badjsonl', 'sip'), { token: t });
    expect(shown.body.cidrs).toBe('192.0.2.1,192.0.2.4');
  });

  it('imports 100,000 entries in one request', async () => {
    const t = await env.stack.token('big');
    const text = Array.from({ length: 100_000 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255} host ${i}`).join('\n');
    const imported = await env.api.call('POST', path('big', 'sip', '/entries:import'), { token: t, text });
    expect(imported.status).toBe(200);
    expect(imported.body.imported).toBe(100_000);
    expect((await env.stack.stored('big', 'sip')).entries).toHaveLength(100_000);
  }, 120_000);
});

describe('admin API: replacing a whole list', () => {
  it('shows the diff on a dry run and writes nothing; the real push writes it atomically', async () => {
    const t = await env.stack.token('replace');
    await env.api.call('POST', path('replace', 'sip', '/entries'), { token: t, json: { value: '192.0.2.1', description: 'kept' } });
    await env.api.call('POST', path('replace', 'sip', '/entries'), { token: t, json: { value: '192.0.2.2' } });
    const before = await env.api.call('GET', path('replace', 'sip'), { token: t });

    const dry = await env.api.call('PUT', path('replace', 'sip', '/list?dryRun=true'), { token: t, text: '192.0.2.1, 198.51.100.0/24' });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ dryRun: true, added: ['198.51.100.0/24'], removed: ['192.0.2.2'], unchanged: ['192.0.2.1'] });
    expect((await env.api.call('GET', path('replace', 'sip'), { token: t })).body).toEqual(before.body);

    const pushed = await env.api.call('PUT', path('replace', 'sip', '/list'), { token: t, json: { cidrs: '192.0.2.1,\n198.51.100.0/24' } });
    expect(pushed.body).toMatchObject({ dryRun: false, added: ['198.51.100.0/24'], removed: ['192.0.2.2'], rev: before.body.rev + 1 });
    const after = await env.api.call('GET', path('replace', 'sip'), { token: t });
    expect(after.body.cidrs).toBe('192.0.2.1,198.51.100.0/24');
    expect(after.body.entries[0]).toMatchObject({ value: '192.0.2.1', description: 'kept' });
  });
});

describe('admin API: bulk actions', () => {
  it('disables by values, enables by filter, deletes all', async () => {
    const t = await env.stack.token('bulk');
    await env.api.call('POST', path('bulk', 'sip', '/entries:import'), { token: t, text: '192.0.2.1 lab\n192.0.2.2 lab\n198.51.100.1 office' });
    const bulk = (json: object) => env.api.call('POST', path('bulk', 'sip', '/entries:bulk'), { token: t, json });
    // Inactive entries come in hash order: compare as sets.
    const states = async () =>
      (await env.api.call('GET', path('bulk', 'sip'), { token: t })).body.entries.map((e: { value: string; active: boolean }) => `${e.value}:${e.active}`).sort();

    expect((await bulk({ action: 'disable', values: ['192.0.2.1', '192.0.2.2'] })).body).toMatchObject({ affected: 2 });
    expect(await states()).toEqual(['192.0.2.1:false', '192.0.2.2:false', '198.51.100.1:true']);
    expect((await bulk({ action: 'enable', filter: { description: 'lab', value: '.2.2' } })).body).toMatchObject({ affected: 1 });
    expect(await states()).toEqual(['192.0.2.1:false', '192.0.2.2:true', '198.51.100.1:true']);
    expectError(await bulk({ action: 'delete', values: ['203.0.113.1'] }), 404, 'not-found');
    expect((await bulk({ action: 'delete', all: true })).body).toMatchObject({ affected: 3 });
    expect(await states()).toEqual([]);
  });
});

describe('admin API: check and export', () => {
  beforeAll(async () => {
    const t = await env.stack.token('probe');
    await env.api.call('POST', path('probe', 'sip', '/entries:import'), { token: t, text: '203.0.113.0/24 Head office\n203.0.113.128/25 Lab\n198.51.100.7' });
    await env.api.call('PATCH', path('probe', 'sip', '/entries/198.51.100.7'), { token: t, json: { active: false } });
    await env.api.call('PUT', path('probe', 'sip', '?force=true'), { token: t, json: { enabled: true } });
  });

  it('gives the decision with the most specific entry that matched', async () => {
    const t = await env.stack.token('probe');
    const inside = await env.api.call('GET', path('probe', 'sip', '/check?ip=203.0.113.200'), { token: t });
    expect(inside.body).toEqual({ tenant: 'probe', scope: 'sip', ip: '203.0.113.200', allow: true, reason: 'matched', entry: { value: '203.0.113.128/25', description: 'Lab' } });
    const inactive = await env.api.call('GET', path('probe', 'sip', '/check?ip=198.51.100.7'), { token: t });
    expect(inactive.body).toMatchObject({ allow: false, reason: 'no-match' });
    const own = await env.api.call('GET', path('probe', 'sip', '/check'), { token: t, from: '203.0.113.1' });
    expect(own.body).toMatchObject({ ip: '203.0.113.1', allow: true, entry: { value: '203.0.113.0/24' } });
  });

  it('exports the active values comma-separated or one per line, and every entry as JSON; the comma-separated form pushes back unchanged', async () => {
    const t = await env.stack.token('probe');
    const csv = await env.api.call('GET', path('probe', 'sip', '/export?format=csv&state=active'), { token: t });
    expect(csv.text).toBe('203.0.113.0/24,203.0.113.128/25\n');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="probe-sip.csv"');
    // The same text without the filter: csv and lines hold the active entries only, as the CLI's export.
    expect((await env.api.call('GET', path('probe', 'sip', '/export?format=csv'), { token: t })).text).toBe(csv.text);
    const lines = await env.api.call('GET', path('probe', 'sip', '/export?format=lines'), { token: t });
    expect(lines.text).toBe('203.0.113.0/24\n203.0.113.128/25\n');
    expect(lines.headers.get('content-disposition')).toBe('attachment; filename="probe-sip.txt"');
    const json = await env.api.call('GET', path('probe', 'sip', '/export'), { token: t });
    expect(json.body).toMatchObject({ tenant: 'probe', scope: 'sip', enabled: true, entries: [{ value: '203.0.113.0/24' }, {}, { value: '198.51.100.7', active: false }] });

    const dry = await env.api.call('PUT', path('probe', 'sip', '/list?dryRun=true'), { token: t, text: csv.text });
    expect(dry.body).toMatchObject({ added: [], removed: [] });
  });
});

describe('admin API: audit', () => {
  it('records every change with who, from where, before and after; filterable by scope', async () => {
    const t = await env.stack.token('audited', 'noc');
    await env.api.call('POST', path('audited', 'sip', '/entries'), { token: t, from: '192.0.2.50', json: { value: '192.0.2.0/24' } });
    await env.api.call('POST', path('audited', 'webrtc', '/entries'), { token: t, from: '192.0.2.51', json: { value: '198.51.100.0/24' } });
    await env.api.call('DELETE', path('audited', 'sip', '/entries/192.0.2.0%2F24'), { token: t, from: '192.0.2.52' });

    const all = await env.api.call('GET', tenantPath('audited', '/audit'), { token: t });
    expect(all.body.records.map((r: { scope: string; action: string; address: string }) => [r.scope, r.action, r.address])).toEqual([
      ['sip', 'delete', '192.0.2.52'],
      ['webrtc', 'add', '192.0.2.51'],
      ['sip', 'add', '192.0.2.50'],
    ]);
    expect(all.body.records[0]).toMatchObject({ actor: expect.stringMatching(/^noc \(token /), removed: ['192.0.2.0/24'], before: { active: 1 }, after: { active: 0 } });

    const sip = await env.api.call('GET', tenantPath('audited', '/audit?scope=sip&limit=1'), { token: t });
    expect(sip.body.records.map((r: { action: string }) => r.action)).toEqual(['delete']);
  });
});
