import { describe, expect, it } from 'vitest';
import { apiForTests, expectError, path } from './api-harness.js';

const env = apiForTests();

describe('admin API: a scope shown a page at a time', () => {
  it('pages the matching entries with offset and limit, and counts them all in total', async () => {
    const token = await env.stack.token('paged');
    const lines = Array.from({ length: 30 }, (_, i) => `192.0.2.${i + 1} ${i % 2 === 0 ? 'even' : 'odd'} desk`).join('\n');
    expect((await env.api.call('POST', path('paged', 'sip', '/entries:import'), { token, text: lines })).status).toBe(200);

    const page = await env.api.call('GET', path('paged', 'sip', '?description=even&offset=5&limit=4'), { token });
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(15);
    expect(page.body.entries.map((e: { value: string }) => e.value)).toEqual(['192.0.2.11', '192.0.2.13', '192.0.2.15', '192.0.2.17']);

    // Without paging: every match, as before (the CLI and existing portals).
    const all = await env.api.call('GET', path('paged', 'sip', '?q=odd'), { token });
    expect({ total: all.body.total, shown: all.body.entries.length }).toEqual({ total: 15, shown: 15 });
    const past = await env.api.call('GET', path('paged', 'sip', '?offset=100&limit=10'), { token });
    expect({ total: past.body.total, shown: past.body.entries.length }).toEqual({ total: 30, shown: 0 });
    expectError(await env.api.call('GET', path('paged', 'sip', '?limit=0'), { token }), 400, 'invalid', 'limit');
  });

  it('shows a change at once, though reads of an unchanged list are remembered', async () => {
    const token = await env.stack.token('remembered');
    await env.api.call('POST', path('remembered', 'sip', '/entries'), { token, json: { value: '198.51.100.1' } });
    expect((await env.api.call('GET', path('remembered', 'sip'), { token })).body.total).toBe(1);
    // Written by another admin process: the fingerprint tells this one the list changed.
    const other = await env.stack.separateAdmin();
    await other.addEntry({ name: 'other' }, { tenant: 'remembered', scope: 'sip' }, { value: '198.51.100.2', active: true });
    const shown = await env.api.call('GET', path('remembered', 'sip'), { token });
    expect(shown.body.entries.map((e: { value: string }) => e.value)).toEqual(['198.51.100.1', '198.51.100.2']);
  });
});
