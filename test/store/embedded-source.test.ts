import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedListSource } from '../../src/store/embedded-source.js';
import { parseListFile } from '../../src/store/list-file.js';
import { until } from '../support/net.js';
import { newCache } from './fixtures.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function seedFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-embedded-'));
  dirs.push(dir);
  const path = join(dir, 'lists.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Rewrites the file with a later mtime, so the change is seen even within one clock tick. */
function rewrite(path: string, content: unknown, secondsLater: number): void {
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  const later = new Date(Date.now() + secondsLater * 1000);
  utimesSync(path, later, later);
}

const SEED = {
  domains: { 'PBX.Acme.example': 'acme' },
  lists: [
    { tenant: 'acme', scope: 'sip', cidrs: '192.0.2.0/24', descriptions: { '192.0.2.0/24': 'HQ' } },
    { tenant: 'acme', scope: 'webrtc', enabled: false, cidrs: '198.51.100.0/24' },
    { tenant: 'acme', scope: 'recordings', enabled: true, cidrs: '' },
  ],
};

describe('embedded store', () => {
  it('serves the seed file through the same cache and policy code', async () => {
    const { cache } = newCache(new EmbeddedListSource(seedFile(SEED)));
    await cache.start();
    cleanupCache(cache);
    expect(cache.ready).toBe(true);
    expect(cache.decide('acme', 'sip', '192.0.2.7')).toEqual({ allow: true, reason: 'matched', entry: { value: '192.0.2.0/24', description: 'HQ' } });
    expect(cache.decide('acme', 'sip', '203.0.113.1')).toEqual({ allow: false, reason: 'no-match' });
    expect(cache.decide('acme', 'webrtc', '203.0.113.1')).toEqual({ allow: true, reason: 'scope-disabled' });
    expect(cache.decide('acme', 'recordings', '203.0.113.1')).toEqual({ allow: true, reason: 'empty-list' });
    expect(cache.tenantForDomain('pbx.acme.EXAMPLE')).toBe('acme');
  });

  it('follows edits of the file, and keeps the last good lists when it turns malformed', async () => {
    const path = seedFile(SEED);
    const { cache, lines } = newCache(new EmbeddedListSource(path), { reconcileMs: 50 });
    await cache.start();
    cleanupCache(cache);
    rewrite(path, { lists: [{ tenant: 'acme', scope: 'sip', cidrs: '203.0.113.0/24' }] }, 2);
    await until(() => cache.decide('acme', 'sip', '203.0.113.1').allow, 2000, 'file edit');
    expect(cache.decide('acme', 'webrtc', '203.0.113.1').reason).toBe('scope-disabled');

    rewrite(path, '{"lists": [ {"tenant": "acme", ', 4);
    await until(() => lines().some((l) => String(l.err).includes('not valid JSON')), 2000, 'refusal');
    expect(cache.decide('acme', 'sip', '203.0.113.1').allow).toBe(true);

    rewrite(path, { lists: [{ tenant: 'acme', scope: 'sip', cidrs: '203.0.113.0/24, 10.0.0.0/33' }] }, 6);
    await until(() => lines().some((l) => l.msg === 'malformed list in store refused'), 2000, 'list refusal');
    expect(cache.decide('acme', 'sip', '203.0.113.1').allow).toBe(true);
  });

  it('fails closed when the seed file is missing', async () => {
    const { cache } = newCache(new EmbeddedListSource('/nonexistent/lists.json'));
    await cache.start();
    cleanupCache(cache);
    expect(cache.ready).toBe(false);
    expect(cache.decide('acme', 'sip', '192.0.2.1').reason).toBe('policy-unavailable');
  });
});

describe('list file format', () => {
  it.each([
    ['[]', 'must be a JSON object'],
    ['{"lists": {}}', 'lists: must be an array'],
    ['{"lists": [{"tenant": "acme", "scope": "voice", "cidrs": ""}]}', 'lists[0].scope: "voice" is not one of sip, webrtc, admin, recordings'],
    ['{"lists": [{"tenant": "a}b", "scope": "sip"}]}', 'lists[0].tenant'],
    ['{"lists": [{"tenant": "acme", "scope": "sip", "cidrs": 5}]}', 'lists[0].cidrs'],
    ['{"lists": [{"tenant": "acme", "scope": "sip", "enabled": "yes"}]}', 'lists[0].enabled'],
    ['{"lists": [{"tenant": "acme", "scope": "sip"}, {"tenant": "acme", "scope": "sip"}]}', 'listed twice'],
    ['{"domains": {"pbx.example": 7}}', 'domains'],
  ])('names what is wrong in %s', (json, message) => {
    const result = parseListFile(json);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

const caches: Array<{ stop(): Promise<void> }> = [];
function cleanupCache(cache: { stop(): Promise<void> }): void {
  caches.push(cache);
}
afterEach(async () => {
  for (const cache of caches.splice(0)) await cache.stop();
});
