/**
 * Country sets through the admin tools (issue 12): the API's PUT …/countries
 * and the CLI's `sipwarden countries`, against a real redis-server, with a
 * small .mmdb of the test's own placing the documentation ranges in
 * countries: what Redis holds after each change, the lockout guard counting
 * countries, `check` naming the country, bad codes refused with nothing
 * written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCountryData } from '../../src/geo/index.js';
import { countryMmdb } from '../support/mmdb-file.js';
import { apiForTests, expectError, path } from './api-harness.js';
import { Cli } from './support/cli-process.js';

const FRANCE = '203.0.113.5';
const GERMANY = '198.51.100.9';
const dir = mkdtempSync(join(tmpdir(), 'sipwarden-countries-'));
const mmdbPath = join(dir, 'countries.mmdb');
writeFileSync(mmdbPath, countryMmdb([['203.0.113.0/24', 'FR'], ['198.51.100.0/24', 'DE'], ['2001:db8::/32', 'JP']]));

const env = apiForTests(() => loadCountryData(mmdbPath).lookup);
let token: string;
let redis: Redis;

beforeAll(async () => {
  token = await env.stack.token();
  redis = new Redis(env.stack.redis.url);
});

afterAll(() => {
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

const stored = (tenant: string, scope: string) => redis.mget(`sipwarden:{${tenant}}:${scope}:countries`, `sipwarden:{${tenant}}:${scope}:countries:enabled`);
const setCountries = (tenant: string, scope: string, json: object, options: { from?: string; force?: boolean } = {}) =>
  env.api.call('PUT', path(tenant, scope, `/countries${options.force ? '?force=true' : ''}`), { token, json, ...(options.from !== undefined && { from: options.from }) });

describe('country sets through the API', () => {
  it('stores codes normalised (upper case, sorted, folded) in the documented keys, shows them and audits the change', async () => {
    // From 127.0.0.1, which has no country: switching countries on with the list off shuts it out (the guard's own test is below).
    const set = await setCountries('a.example', 'sip', { countries: 'fr, de,FR', enabled: true }, { force: true });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ tenant: 'a.example', scope: 'sip', countries: { enabled: true, codes: ['DE', 'FR'] }, rev: 1 });
    expect(await stored('a.example', 'sip')).toEqual(['DE,FR', '1']);
    const off = await setCountries('a.example', 'sip', { enabled: false });
    expect(off.body.countries).toEqual({ enabled: false, codes: ['DE', 'FR'] });
    expect(await stored('a.example', 'sip')).toEqual(['DE,FR', '0']);
    const array = await setCountries('a.example', 'sip', { countries: ['it'] });
    expect(array.body.countries).toEqual({ enabled: false, codes: ['IT'] });
    const shown = await env.api.call('GET', path('a.example', 'sip'), { token });
    expect(shown.body.countries).toEqual({ enabled: false, codes: ['IT'] });
    const audit = await env.api.call('GET', '/v1/tenants/a.example/audit', { token });
    expect(audit.body.records.map((r: { action: string }) => r.action)).toEqual(['set-countries', 'disable-countries', 'set-countries']);
    expect(audit.body.records[1]).toMatchObject({ before: { countries: 'DE,FR', countriesEnabled: true }, after: { countries: 'DE,FR', countriesEnabled: false } });
  });

  it('refuses codes that are not ISO 3166-1 alpha-2, naming every bad one, and writes nothing', async () => {
    const bad = expectError(await setCountries('b.example', 'sip', { countries: 'XX,de,,EU', enabled: true }), 400, 'invalid', 'countries');
    expect(bad.message).toBe('not ISO 3166-1 alpha-2 country codes: "XX", an empty item, "EU"');
    expect(await stored('b.example', 'sip')).toEqual([null, null]);
    expectError(await setCountries('b.example', 'sip', {}), 400, 'invalid', 'enabled');
    const array = expectError(await setCountries('b.example', 'sip', { countries: ['DEU', 'fr'] }), 400, 'invalid', 'countries');
    expect(array.message).toBe('not ISO 3166-1 alpha-2 country codes: "DEU"');
  });

  it('decides by country at the edge once set, and check names the country and whether it decided', async () => {
    await env.api.call('POST', path('c.example', 'sip', '/entries'), { token, json: { value: '192.0.2.7' } });
    expect((await env.api.call('PUT', path('c.example', 'sip', '?force=true'), { token, json: { enabled: true } })).status).toBe(200);
    expect((await setCountries('c.example', 'sip', { countries: 'DE', enabled: true }, { force: true })).status).toBe(200);
    await env.stack.settled('c.example', 'sip', GERMANY, true);
    expect(env.stack.cache.decide('c.example', 'sip', GERMANY)).toEqual({ allow: true, reason: 'country-allowed', country: 'DE' });
    expect(env.stack.cache.decide('c.example', 'sip', FRANCE)).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    const byCountry = await env.api.call('GET', path('c.example', 'sip', `/check?ip=${GERMANY}`), { token });
    expect(byCountry.body).toMatchObject({ allow: true, reason: 'country-allowed', country: 'DE', addressCountry: 'DE' });
    const byEntry = await env.api.call('GET', path('c.example', 'sip', '/check?ip=192.0.2.7'), { token });
    expect(byEntry.body).toMatchObject({ allow: true, reason: 'matched', entry: { value: '192.0.2.7' } });
    expect(byEntry.body.addressCountry).toBeUndefined();
    const denied = await env.api.call('GET', path('c.example', 'sip', `/check?ip=${FRANCE}`), { token });
    expect(denied.body).toMatchObject({ allow: false, reason: 'no-match', addressCountry: 'FR' });
  });

  it('counts countries in the lockout guard: switching them on without your country, or removing it, needs force; never in the admin scope', async () => {
    const from = FRANCE;
    const lockedOut = expectError(await setCountries('d.example', 'sip', { countries: 'DE', enabled: true }, { from }), 403, 'lockout');
    expect(lockedOut.message).toContain(`would deny your own address ${FRANCE} in d.example/sip (no-match)`);
    expect(await stored('d.example', 'sip')).toEqual([null, null]);
    expect((await setCountries('d.example', 'sip', { countries: 'DE', enabled: true }, { from, force: true })).status).toBe(200);

    // An empty set switched on, with the list off, allows nobody.
    expectError(await setCountries('e.example', 'sip', { countries: '', enabled: true }, { from }), 403, 'lockout');

    expect((await setCountries('f.example', 'admin', { countries: 'FR,DE', enabled: true }, { from })).status).toBe(200);
    await env.stack.settled('f.example', 'admin', FRANCE, true);
    const removing = expectError(await setCountries('f.example', 'admin', { countries: 'DE' }, { from, force: true }), 403, 'lockout');
    expect(removing.message).toContain('this API session would lose access');
    expect(await stored('f.example', 'admin')).toEqual(['DE,FR', '1']);
    // Switching the admin list on with nothing in it would lock out too; the country keeps the caller in.
    expect((await env.api.call('PUT', path('f.example', 'admin'), { token, json: { enabled: true }, from })).status).toBe(200);
  });
});

describe('sipwarden countries (CLI)', { timeout: 120_000 }, () => {
  const cliEnv = { SIPWARDEN_GEOIP_DB: mmdbPath };

  it('sets, switches and shows a country set, and check shows the address country', async () => {
    const cli = new Cli(env.stack.redis.url);
    const t = ['--tenant', 'cli.example'];
    const set = await cli.run(['countries', 'set', 'de,fr', '--enable', ...t], { env: cliEnv });
    expect(set).toMatchObject({ code: 0, stdout: 'cli.example/sip countries set: DE,FR, on; rev 1\n' });
    expect(await stored('cli.example', 'sip')).toEqual(['DE,FR', '1']);
    const shown = await cli.run(['show', '--scope', 'sip', ...t], { env: cliEnv });
    expect(shown.stdout).toContain('countries: DE,FR (on: their addresses are allowed beside the list)');
    const checked = await cli.run(['check', GERMANY, ...t], { env: cliEnv });
    expect(checked.stdout).toBe(`allow ${GERMANY} in cli.example/sip: its country DE is in the scope's allowed countries; country DE (it decided)\n`);
    const json = JSON.parse((await cli.run(['check', '192.0.2.1', '--json', ...t], { env: cliEnv })).stdout);
    expect(json).toMatchObject({ allow: false, reason: 'no-match' });
    expect(json.addressCountry).toBeUndefined();
    const off = await cli.run(['countries', 'disable', ...t], { env: cliEnv });
    expect(off).toMatchObject({ code: 0, stdout: 'cli.example/sip countries disabled: DE,FR, off; rev 2\n' });
    expect(await stored('cli.example', 'sip')).toEqual(['DE,FR', '0']);
  });

  it('refuses bad codes naming each, and an unreadable SIPWARDEN_GEOIP_DB naming the file', async () => {
    const cli = new Cli(env.stack.redis.url);
    const t = ['--tenant', 'cli-bad.example'];
    const bad = await cli.run(['countries', 'set', 'XX,de,', ...t], { env: cliEnv });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not ISO 3166-1 alpha-2 country codes: "XX", an empty item');
    expect(await stored('cli-bad.example', 'sip')).toEqual([null, null]);
    const missing = join(dir, 'missing.mmdb');
    const unreadable = await cli.run(['check', GERMANY, ...t], { env: { SIPWARDEN_GEOIP_DB: missing } });
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toContain(`fix SIPWARDEN_GEOIP_DB`);
    expect(unreadable.stderr).toContain(missing);
  });
});
