/**
 * The Dialer seed's country example end to end (issue 12): agents' addresses
 * in country A listed one by one, all of country B allowed, enforced by the
 * main job on a real drachtio-server with its lists in a real redis-server,
 * pushed with plain Redis commands. Loopback addresses have no country, so
 * SIPWARDEN_GEOIP_DB points at a small .mmdb of the test's own placing them:
 * 127.0.0.2 in B (the manager), 127.0.0.3 and 127.0.0.4 in A (a listed agent
 * and an unlisted one). Nothing in the product knows about loopback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog } from '../sip/harness.js';
import { countryMmdb } from '../support/mmdb-file.js';
import { until } from '../support/net.js';
import { findDrachtio } from './drachtio-server.js';
import { type InboundStack, startInboundStack, stopStack } from './main-job.js';
import { runUac } from './sipp.js';

const binary = findDrachtio();
const MANAGER = '127.0.0.2';
const AGENT = '127.0.0.3';
const STRANGER = '127.0.0.4';
const [A, B] = ['FR', 'DE'];

describe.skipIf(binary === undefined)("the seed's country A / country B example at the SIP edge", () => {
  const log = capturedLog();
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-e2e-countries-'));
  let stack: InboundStack;

  const register = (from: string, user: string) => runUac({ scenario: 'uac-register.xml', from, domain: 'dialer.example', user, transport: 'udp', to: stack.ports.sip });
  const decisionsFor = (callId: string | undefined) => log.lines.filter((line) => line.event === 'sip_access' && line.call_id === callId);
  const metrics = async () => (await fetch(`http://127.0.0.1:${stack.edge.httpPort}/metrics`)).text();

  beforeAll(async () => {
    const mmdb = join(dir, 'loopback-countries.mmdb');
    writeFileSync(mmdb, countryMmdb([[`${MANAGER}/32`, B], [`${AGENT}/32`, A], [`${STRANGER}/32`, A]]));
    // The agent listed one by one; country B switched on with one plain SET (its toggle absent: on).
    stack = await startInboundStack(binary!, { '{dialer}:sip': AGENT }, { 'dialer.example': 'dialer' }, log.logger, { SIPWARDEN_GEOIP_DB: mmdb });
    await stack.operator.set('sipwarden:{dialer}:sip:countries', B);
    await until(() => stack.edge.cache.decide('dialer', 'sip', MANAGER).allow, 5000, 'the country set to reach the edge');
  });

  afterAll(async () => {
    if (stack !== undefined) await stopStack(stack);
    rmSync(dir, { recursive: true, force: true });
  });

  it('allows the manager anywhere in country B by country, the listed agent in A by the list, and refuses an unlisted address in A', async () => {
    const [manager, agent, stranger] = await Promise.all([register(MANAGER, 'manager'), register(AGENT, 'agent'), register(STRANGER, 'stranger')]);
    expect([manager.status, agent.status, stranger.status]).toEqual([200, 200, 403]);
    const upstream = stack.uas.requests().map((r) => r.callId);
    expect([manager.callId, agent.callId].every((id) => upstream.includes(id))).toBe(true);
    expect(upstream).not.toContain(stranger.callId);
    expect(decisionsFor(manager.callId)).toEqual([expect.objectContaining({ result: 'allow', reason: 'country-allowed', matched_by: 'country', country: B })]);
    expect(decisionsFor(agent.callId)).toEqual([expect.objectContaining({ result: 'allow', reason: 'matched', matched_by: 'address', entry: { value: AGENT } })]);
    expect(decisionsFor(stranger.callId)).toEqual([expect.objectContaining({ result: 'deny', reason: 'no-match', country: A })]);
    expect(await metrics()).toMatch(/^sipwarden_sip_country_matches_total\{tenant="dialer",scope="sip",country="DE"\} 1$/m);
  });

  it('refuses the manager once country B is switched off, and an unknown code in Redis changes nothing', async () => {
    await stack.operator.set('sipwarden:{dialer}:sip:countries', 'DE,XX');
    const refusal = () => log.lines.find((line) => line.msg === 'malformed list in store refused' && line.tenant === 'dialer');
    await until(() => refusal() !== undefined, 5000, 'the bad set to be refused');
    expect(refusal()).toMatchObject({ error: 'countries: not ISO 3166-1 alpha-2 country codes: "XX"', keeping: expect.stringMatching(/^rev /) });
    expect((await register(MANAGER, 'manager')).status).toBe(200);
    await stack.operator.mset('sipwarden:{dialer}:sip:countries', B, 'sipwarden:{dialer}:sip:countries:enabled', '0');
    await until(() => !stack.edge.cache.decide('dialer', 'sip', MANAGER).allow, 5000, 'the switch to reach the edge');
    const refused = await register(MANAGER, 'manager');
    expect(refused.status).toBe(403);
    expect(decisionsFor(refused.callId)).toEqual([expect.objectContaining({ result: 'deny', reason: 'no-match' })]);
    expect((await register(AGENT, 'agent')).status).toBe(200);
  });
});
