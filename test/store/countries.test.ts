/**
 * Country sets in the store: the keys beside the list, set by hand with
 * redis-cli-style SETs and picked up live; garbage refused with the last good
 * state kept; the embedded list file's fields; a write through sipwarden
 * leaving a scope's countries alone.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedListSource } from '../../src/store/embedded-source.js';
import { KeySchema } from '../../src/store/keys.js';
import { readListFile } from '../../src/store/list-file.js';
import { fingerprintOf, interpretRawList } from '../../src/store/raw-list.js';
import { TEST_COUNTRIES } from '../support/countries.js';
import { capturingLogger } from '../support/logger.js';
import { until } from '../support/net.js';
import { entries, newCache, redisForTests, redisStore } from './fixtures.js';

const countries = TEST_COUNTRIES;

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe('country keys', () => {
  const keys = new KeySchema();

  it('sit beside the list and parse back', () => {
    const k = keys.list({ tenant: 'acme', scope: 'sip' });
    expect(k.countries).toBe('sipwarden:{acme}:sip:countries');
    expect(k['countries:enabled']).toBe('sipwarden:{acme}:sip:countries:enabled');
    expect(keys.parse(k.countries)).toEqual({ tenant: 'acme', scope: 'sip', kind: 'countries' });
    expect(keys.parse(k['countries:enabled'])).toEqual({ tenant: 'acme', scope: 'sip', kind: 'countries:enabled' });
    expect(keys.parse('sipwarden:{acme}:sip:cidrs:enabled')).toBeUndefined();
    expect(keys.parse('sipwarden:{acme}:sip:countries:enabled:x')).toBeUndefined();
  });

  const raw = (countries: string | null, countriesEnabled: string | null) =>
    interpretRawList({ tenant: 'acme', scope: 'sip', cidrs: null, enabled: null, entries: {}, rev: null, countries, countriesEnabled });

  it('are read as a normalised set with its switch, on when the set exists', () => {
    expect(raw('de, fr', null)).toMatchObject({ ok: true, settings: { configured: true, enabled: false, countries: { enabled: true, codes: 'DE,FR' } } });
    expect(raw('DE', '0')).toMatchObject({ ok: true, settings: { countries: { enabled: false, codes: 'DE' } } });
    expect(raw(null, '1')).toMatchObject({ ok: true, settings: { configured: true, countries: { enabled: true, codes: '' } } });
    expect(raw(null, null)).toMatchObject({ ok: true, settings: { configured: false, countries: { enabled: false, codes: '' } } });
  });

  it('refuse bad codes, naming each, and a bad toggle', () => {
    expect(raw('DE,XX,de,', null)).toEqual({ ok: false, error: 'countries: not ISO 3166-1 alpha-2 country codes: "XX", an empty item' });
    expect(raw('DE', 'maybe')).toEqual({ ok: false, error: 'countries:enabled must be 1 or 0, found "maybe"' });
  });

  it('leave the fingerprint of a list without countries as it was', () => {
    const base = { cidrs: '192.0.2.0/24', enabled: '1', rev: '3', entries: {} };
    expect(fingerprintOf({ ...base, countries: null, countriesEnabled: null })).toBe(fingerprintOf(base));
    expect(fingerprintOf({ ...base, countries: 'DE' })).not.toBe(fingerprintOf(base));
    expect(fingerprintOf({ ...base, countries: 'DE', countriesEnabled: '0' })).not.toBe(fingerprintOf({ ...base, countries: 'DE' }));
  });
});

describe('the embedded list file', () => {
  it('carries countries and their switch, checked like the rest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'countries-'));
    const path = join(dir, 'lists.json');
    writeFileSync(path, JSON.stringify({ lists: [{ tenant: 'acme', scope: 'sip', cidrs: '203.0.113.7', countries: 'de', countriesEnabled: true }] }));
    const source = new EmbeddedListSource(path);
    const { cache } = newCache(source, { countries });
    await cache.start();
    cleanup.push(() => cache.stop());
    expect(cache.decide('acme', 'sip', '198.51.100.9')).toEqual({ allow: true, reason: 'country-allowed', country: 'DE' });
    expect(cache.decide('acme', 'sip', '203.0.113.7').reason).toBe('matched');
    expect(cache.decide('acme', 'sip', '203.0.113.8')).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    writeFileSync(path, JSON.stringify({ lists: [{ tenant: 'acme', scope: 'sip', countries: ['DE'] }] }));
    expect(await readListFile(path)).toEqual({ ok: false, error: `${path}: lists[0].countries: must be a comma-separated string of country codes` });
  });
});

describe('country sets on Redis', () => {
  const env = redisForTests();

  it('are set with plain SETs, picked up live, garbage refused with the last good set kept', async () => {
    const store = await redisStore(env.redis.url, capturingLogger().logger);
    cleanup.push(() => store.close());
    const { cache, lines } = newCache(store.source, { reconcileMs: 60_000, countries });
    await cache.start();
    cleanup.push(() => cache.stop());
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    await plain.set('sipwarden:{acme}:sip:countries', 'DE,FR');
    await plain.set('sipwarden:{acme}:sip:countries:enabled', '1');
    await until(() => cache.decide('acme', 'sip', '198.51.100.1').reason === 'country-allowed', 1000, 'countries picked up');
    expect(cache.decide('acme', 'sip', '203.0.113.1')).toEqual({ allow: true, reason: 'country-allowed', country: 'FR' });
    expect(cache.decide('acme', 'sip', '192.0.2.1')).toEqual({ allow: false, reason: 'no-match' });

    await plain.set('sipwarden:{acme}:sip:countries', 'DE,XX');
    await until(() => lines().some((l) => l.msg === 'malformed list in store refused'), 1000, 'refusal');
    expect(String(lines().find((l) => l.msg === 'malformed list in store refused')!.error)).toContain('"XX"');
    expect(cache.decide('acme', 'sip', '203.0.113.1').reason).toBe('country-allowed');

    await plain.set('sipwarden:{acme}:sip:countries', 'de');
    await until(() => cache.decide('acme', 'sip', '203.0.113.1').allow === false, 1000, 'fixed set');
    expect(cache.decide('acme', 'sip', '198.51.100.1').allow).toBe(true);
    await plain.set('sipwarden:{acme}:sip:countries:enabled', '0');
    await until(() => cache.decide('acme', 'sip', '203.0.113.1').reason === 'scope-disabled', 1000, 'countries off');
  });

  it('notices a country change no event announced at reconciliation, and a list write keeps the countries', async () => {
    const id = { tenant: 'quiet', scope: 'sip' as const };
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.0/24') }, { actor: 't' });
    const store = await redisStore(env.redis.url, capturingLogger().logger);
    cleanup.push(() => store.close());
    const { cache } = newCache(store.source, { reconcileMs: 60_000, countries });
    await cache.start();
    cleanup.push(() => cache.stop());
    // Written while the edge hears nothing: keyspace notifications off for this write.
    const plain = env.redis.client();
    cleanup.push(() => plain.disconnect());
    const events = ((await plain.config('GET', 'notify-keyspace-events')) as string[])[1]!;
    await plain.config('SET', 'notify-keyspace-events', '');
    await plain.set('sipwarden:{quiet}:sip:countries', 'DE');
    await plain.config('SET', 'notify-keyspace-events', events);
    expect(cache.decide('quiet', 'sip', '198.51.100.1').allow).toBe(false);
    await cache.reconcile();
    expect(cache.decide('quiet', 'sip', '198.51.100.1')).toEqual({ allow: true, reason: 'country-allowed', country: 'DE' });
    const written = await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.0/24', '192.0.2.1') }, { actor: 't' });
    expect(written.ok).toBe(true);
    expect(await plain.get('sipwarden:{quiet}:sip:countries')).toBe('DE');
    await until(() => cache.decide('quiet', 'sip', '192.0.2.1').allow, 1000, 'list write');
    expect(cache.decide('quiet', 'sip', '198.51.100.1').reason).toBe('country-allowed');
  });
});
