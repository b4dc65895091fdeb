/**
 * One export through both front ends: what the CLI (a real subprocess) and
 * the API (real HTTP) export is taken back by either one and gives the list
 * it came from: values, descriptions, states. json through import, csv
 * through replace; lines is the plain list of active values. Everything runs
 * on one redis-server of the test's own.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListId } from '../../src/store/keys.js';
import type { ListState } from '../../src/store/list-state.js';
import { apiForTests, path } from './api-harness.js';
import { Cli } from './support/cli-process.js';

const env = apiForTests();
let cli: Cli;
let token: string;
let dir: string;

const SOURCE: ListId = { tenant: 'source.example', scope: 'sip' };
const setup = { name: 'setup', force: true };

beforeAll(async () => {
  cli = new Cli(env.stack.redis.url);
  token = await env.stack.token();
  dir = mkdtempSync(join(tmpdir(), 'sipwarden-roundtrip-'));
  const { admin } = env.stack;
  const entries = [
    { value: '203.0.113.0/24', active: true, description: 'Head office, 2nd floor' },
    { value: '2001:db8::/32', active: true },
    { value: '198.51.100.7', active: true, description: 'VPN' },
    { value: '192.0.2.0/24', active: false, description: 'parked, for now' },
    { value: '192.0.2.77', active: false },
  ];
  for (const input of entries) expect((await admin.addEntry(setup, SOURCE, input)).ok).toBe(true);
  expect((await admin.setEnabled(setup, SOURCE, true)).ok).toBe(true);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Via = 'cli' | 'api';
const PAIRS: ReadonlyArray<readonly [Via, Via]> = [
  ['cli', 'cli'],
  ['cli', 'api'],
  ['api', 'cli'],
  ['api', 'api'],
];

/** What an admin sees of a list: the enforced string, active entries in order, inactive ones (kept in hash order) sorted. */
function seen(state: ListState) {
  const of = (active: boolean) => state.entries.filter((e) => e.active === active).map((e) => [e.value, e.description ?? null]);
  return { cidrs: state.cidrs, active: of(true), inactive: of(false).sort() };
}

async function stored(tenant: string) {
  return seen(await env.stack.stored(tenant, 'sip'));
}

async function exported(via: Via, tenant: string, format: 'json' | 'csv' | 'lines'): Promise<string> {
  if (via === 'cli') {
    const run = await cli.run(['export', '--format', format, '--tenant', tenant]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    return run.stdout;
  }
  const answer = await env.api.call('GET', path(tenant, 'sip', `/export?format=${format}`), { token });
  expect(answer.status).toBe(200);
  return answer.text;
}

function file(name: string, text: string): string {
  const at = join(dir, name);
  writeFileSync(at, text);
  return at;
}

/** Imports an export; `inactive` asks for inactive entries where the input names no state. */
async function imported(via: Via, tenant: string, text: string, json: boolean, inactive = false): Promise<void> {
  if (via === 'cli') {
    const run = await cli.run(['import', file(`${tenant}.${json ? 'json' : 'txt'}`, text), '--tenant', tenant, ...(inactive ? ['--inactive'] : [])]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    return;
  }
  const query = inactive ? '?state=inactive' : '';
  const answer = await env.api.call('POST', path(tenant, 'sip', `/entries:import${query}`), { token, text, type: json ? 'application/json' : 'text/plain' });
  expect(answer.status, answer.text).toBe(200);
}

async function replaced(via: Via, tenant: string, csv: string): Promise<void> {
  if (via === 'cli') {
    const run = await cli.run(['replace', '--file', file(`${tenant}.csv`, csv), '--tenant', tenant]);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    return;
  }
  const answer = await env.api.call('PUT', path(tenant, 'sip', '/list'), { token, text: csv });
  expect(answer.status, answer.text).toBe(200);
}

describe.concurrent('export, then import or replace, through either front end', { timeout: 120_000 }, () => {
  it.each(PAIRS)('json exported by the %s and imported by the %s is the same list: values, descriptions, states', async (from, to) => {
    const copy = `copy-${from}-${to}.example`;
    await imported(to, copy, await exported(from, SOURCE.tenant, 'json'), true);
    expect(await stored(copy)).toEqual(await stored(SOURCE.tenant));
    // Each entry keeps its own state, whatever state the import is asked for.
    const asInactive = `copy-inactive-${from}-${to}.example`;
    await imported(to, asInactive, await exported(from, SOURCE.tenant, 'json'), true, true);
    expect(await stored(asInactive)).toEqual(await stored(SOURCE.tenant));
  });

  it.each(PAIRS)('csv exported by the %s and replaced by the %s makes a list that drifted the same again', async (from, to) => {
    const target = `restore-${from}-${to}.example`;
    await imported('api', target, await exported('api', SOURCE.tenant, 'json'), true);
    // Drift: an entry added, an active one switched off.
    const { admin } = env.stack;
    expect((await admin.addEntry(setup, { tenant: target, scope: 'sip' }, { value: '10.0.0.0/8', active: true, description: 'extra' })).ok).toBe(true);
    expect((await admin.editEntry(setup, { tenant: target, scope: 'sip' }, '198.51.100.7', { active: false })).ok).toBe(true);
    expect(await stored(target)).not.toEqual(await stored(SOURCE.tenant));
    await replaced(to, target, await exported(from, SOURCE.tenant, 'csv'));
    expect(await stored(target)).toEqual(await stored(SOURCE.tenant));
  });

  it.each(PAIRS)('lines exported by the %s and imported by the %s are the active values, as plain active entries', async (from, to) => {
    const plain = `plain-${from}-${to}.example`;
    const text = await exported(from, SOURCE.tenant, 'lines');
    expect(text).toBe('203.0.113.0/24\n2001:db8::/32\n198.51.100.7\n');
    await imported(to, plain, text, false);
    const source = await stored(SOURCE.tenant);
    expect(await stored(plain)).toEqual({ cidrs: source.cidrs, active: source.active.map(([value]) => [value, null]), inactive: [] });
  });

  it('gives the same export through both front ends', async () => {
    for (const format of ['json', 'csv', 'lines'] as const) {
      const [byCli, byApi] = await Promise.all([exported('cli', SOURCE.tenant, format), exported('api', SOURCE.tenant, format)]);
      if (format === 'json') expect(JSON.parse(byCli)).toEqual(JSON.parse(byApi));
      else expect(byCli).toBe(byApi);
    }
  });
});

describe('importing a json export refuses what is not one', () => {
  it('names every bad entry by position, through both front ends, and writes nothing', async () => {
    const text = JSON.stringify({ tenant: 'x', scope: 'sip', enabled: true, entries: [{ value: '192.0.2.1', active: true }, { value: '010.0.0.1', active: true }, { value: '192.0.2.3', colour: 'red' }, 'nope'] });
    const answer = await env.api.call('POST', path('bad-json.example', 'sip', '/entries:import'), { token, text, type: 'application/json' });
    expect(answer.status).toBe(400);
    expect(answer.body.items.map((i: { entry: number }) => i.entry)).toEqual([1, 2, 3]);
    expect(answer.body.message).toMatch(/^3 invalid entries, nothing written: entry 2: /);
    const run = await cli.run(['import', file('bad.json', text), '--tenant', 'bad-json.example']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('3 invalid entries, nothing written:');
    expect(run.stderr).toContain('entry 3: "{\\"value\\":\\"192.0.2.3\\",\\"colour\\":\\"red\\"}": unknown field "colour"');
    expect((await env.stack.stored('bad-json.example', 'sip')).configured).toBe(false);
    const notAList = await cli.run(['import', file('array.json', '{"entries": 3}'), '--tenant', 'bad-json.example']);
    expect(notAList).toMatchObject({ code: 1, stderr: expect.stringContaining('an exported list is a JSON object') });
  });
});
