/**
 * SIPWARDEN_GEOIP_DB followed while the edge runs: real files in a temp dir,
 * real .mmdb files (test/support/mmdb-file.ts), a real live cache deciding
 * through the embedded list store. A reload moves an address from one
 * country to another; a corrupt, a truncated and a deleted file are refused
 * with the last good data deciding; decisions go on answering throughout.
 */
import { mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { COUNTRY_DATA_RELOADS_METRIC, CountryDataWatcher, readMmdbCountries } from '../../src/geo/index.js';
import type { Decision } from '../../src/policy/index.js';
import { EmbeddedListSource } from '../../src/store/embedded-source.js';
import { ListCache } from '../../src/store/list-cache.js';
import { capturingLogger } from '../support/logger.js';
import { countryMmdb } from '../support/mmdb-file.js';
import { until } from '../support/net.js';

const MOVER = '198.51.100.9';
/** MOVER in France: refused by a scope allowing Germany. */
const IN_FRANCE = countryMmdb([['198.51.100.0/24', 'FR'], ['2001:db8::/32', 'JP']]);
/** MOVER moved to Germany: allowed. */
const IN_GERMANY = countryMmdb([['198.51.100.0/24', 'DE'], ['2001:db8::/32', 'JP']], 1_767_312_000);

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A live cache with one scope (a list and Germany switched on), deciding with the .mmdb at `path`, and its watcher. */
async function edgeOn(mmdb: Buffer) {
  const dir = mkdtempSync(join(tmpdir(), 'geoip-watch-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'GeoLite2-Country.mmdb');
  writeFileSync(path, mmdb);
  const lists = join(dir, 'lists.json');
  writeFileSync(lists, JSON.stringify({ lists: [{ tenant: 'acme', scope: 'sip', cidrs: '203.0.113.7', countries: 'DE', countriesEnabled: true }] }));
  const { logger, lines } = capturingLogger();
  const registry = new Registry();
  const version = CountryDataWatcher.versionOf(path);
  const data = readMmdbCountries(path);
  const cache = new ListCache(new EmbeddedListSource(lists), { reconcileMs: 60_000, logger, registry, countries: data });
  await cache.start();
  cleanup.push(() => cache.stop());
  const watcher = new CountryDataWatcher({ path, version, source: data.source, logger, registry, debounceMs: 30, pollMs: 60_000 });
  watcher.start((next) => cache.useCountryData(next.lookup));
  cleanup.push(() => watcher.stop());
  const logged = (msg: string) => lines().filter((l) => l.msg === msg);
  const count = async (outcome: string) =>
    (await registry.getSingleMetric(COUNTRY_DATA_RELOADS_METRIC)!.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  const decide = (source = MOVER): Decision => cache.decide('acme', 'sip', source);
  return { dir, path, logged, count, decide, source: data.source };
}

describe('SIPWARDEN_GEOIP_DB reload', () => {
  it('moves an address from one country to another when the file is replaced by rename, and logs the new build', async () => {
    const edge = await edgeOn(IN_FRANCE);
    expect(edge.decide()).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    const next = join(edge.dir, 'new.mmdb');
    writeFileSync(next, IN_GERMANY);
    renameSync(next, edge.path); // mv new.mmdb GeoLite2-Country.mmdb
    await until(() => edge.decide().allow, 2000, 'the reloaded data deciding');
    expect(edge.decide()).toEqual({ allow: true, reason: 'country-allowed', country: 'DE' });
    expect(edge.decide('203.0.113.7').reason).toBe('matched');
    expect(edge.logged('country data reloaded')).toEqual([expect.objectContaining({ source: `${edge.path} (sipwarden-test-Country, built 2026-01-02)` })]);
    expect(await edge.count('reloaded')).toBe(1);
  });

  it('follows a file rewritten in place', async () => {
    const edge = await edgeOn(IN_FRANCE);
    writeFileSync(edge.path, IN_GERMANY);
    await until(() => edge.decide().allow, 2000, 'the rewritten data deciding');
    expect(edge.decide().country).toBe('DE');
  });

  it('refuses a corrupt file and a truncated one, naming the file, and keeps deciding with the last good data', async () => {
    const edge = await edgeOn(IN_FRANCE);
    writeFileSync(edge.path, 'not a database at all');
    await until(() => edge.logged('country data refused').length === 1, 2000, 'the corrupt file refused');
    expect(edge.decide()).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    writeFileSync(edge.path, IN_GERMANY);
    truncateSync(edge.path, Math.floor(IN_GERMANY.length / 2)); // a half-written copy
    await until(() => edge.logged('country data refused').length === 2, 2000, 'the truncated file refused');
    expect(edge.decide()).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    const [corrupt, truncated] = edge.logged('country data refused');
    for (const line of [corrupt, truncated]) {
      expect(line).toMatchObject({ file: edge.path, keeping: edge.source });
      expect(String(line!.reason)).toContain(`SIPWARDEN_GEOIP_DB ${edge.path}`);
    }
    expect(await edge.count('refused')).toBe(2);
    expect(await edge.count('reloaded')).toBe(0);
    // The copy completing is a change like any other.
    writeFileSync(edge.path, IN_GERMANY);
    await until(() => edge.decide().allow, 2000, 'the completed file deciding');
  });

  it('keeps the last good data when the file is deleted, and reloads when it comes back', async () => {
    const edge = await edgeOn(IN_FRANCE);
    rmSync(edge.path);
    await until(() => edge.logged('country data refused').length === 1, 2000, 'the deletion noticed');
    expect(String(edge.logged('country data refused')[0]!.reason)).toContain('the file is gone');
    expect(edge.decide()).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    writeFileSync(edge.path, IN_GERMANY);
    await until(() => edge.decide().allow, 2000, 'the file back');
  });

  it('answers every decision while the data is replaced, good and bad files alike: never unavailable, never without the country', async () => {
    const edge = await edgeOn(IN_FRANCE);
    const seen: Decision[] = [];
    let deciding = true;
    const loop = (async () => {
      while (deciding) {
        seen.push(edge.decide(), edge.decide('2001:db8::1'));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const versions = [IN_GERMANY, Buffer.from('garbage'), IN_FRANCE, IN_GERMANY.subarray(0, 40), IN_GERMANY];
    for (const [i, bytes] of versions.entries()) {
      const next = join(edge.dir, `next-${i}.mmdb`);
      writeFileSync(next, bytes);
      renameSync(next, edge.path);
      await until(() => edge.logged('country data reloaded').length + edge.logged('country data refused').length === i + 1, 2000, `version ${i} read`);
    }
    deciding = false;
    await loop;
    expect(edge.decide().country).toBe('DE');
    expect(seen.length).toBeGreaterThan(10);
    const unanswered = seen.filter((d) => d.reason === 'policy-unavailable' || d.country === undefined);
    expect(unanswered).toEqual([]);
    expect(new Set(seen.map((d) => d.country))).toEqual(new Set(['DE', 'FR', 'JP']));
  });
});
