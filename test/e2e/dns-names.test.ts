/**
 * A DNS name entry end to end: the main job on a real drachtio-server, its
 * lists in a real redis-server, the names resolved by a real DNS server
 * (dnsmasq on loopback) whose record the test moves. A sipp REGISTER from
 * 127.0.0.2 is allowed while the listed name resolves to 127.0.0.2 and
 * refused once it resolves to 127.0.0.9; /v1/authorize follows the same name.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLog } from '../sip/harness.js';
import { Dnsmasq } from '../support/dnsmasq.js';
import { freePort, until } from '../support/net.js';
import { findDrachtio } from './drachtio-server.js';
import { ALLOWED, type InboundStack, startInboundStack, stopStack } from './main-job.js';
import { type UacOptions, runUac } from './sipp.js';

const binary = findDrachtio();
const NAME = 'agent7.dyn.test';
const MOVED = '127.0.0.9';
/** dnsmasq's TTL, in seconds: how long the edge may take to see the record move. */
const TTL = 1;

/** GET /v1/authorize from `from`, a loopback address of the test's choosing: the status and the reason. */
function authorize(port: number, from: string, query: string): Promise<{ status: number; reason: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/v1/authorize${query}`, localAddress: from }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, reason: res.headers['x-sipwarden-reason'] as string | undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(binary === undefined)('DNS name entries at the SIP edge', () => {
  const log = capturedLog();
  let dns: Dnsmasq;
  let stack: InboundStack;
  let adminPort: number;

  const register = (from: string, user: string) =>
    runUac({ scenario: 'uac-register.xml', from, domain: 'acme.example', user, transport: 'udp', to: stack.ports.sip } satisfies UacOptions);
  const decisionsFor = (callId: string | undefined) => log.lines.filter((line) => line.event === 'sip_access' && line.call_id === callId);
  const metrics = async () => (await fetch(`http://127.0.0.1:${stack.edge.httpPort}/metrics`)).text();

  beforeAll(async () => {
    dns = await Dnsmasq.start({ [NAME]: [ALLOWED] }, TTL);
    adminPort = await freePort();
    stack = await startInboundStack(
      binary!,
      { '{acme}:sip': `203.0.113.0/24, ${NAME}`, '{acme}:recordings': NAME },
      { 'acme.example': 'acme' },
      log.logger,
      {
        SIPWARDEN_DNS_SERVERS: dns.server,
        SIPWARDEN_DNS_MIN_TTL_MS: '200',
        SIPWARDEN_DNS_MAX_TTL_MS: '5000',
        SIPWARDEN_DNS_TIMEOUT_MS: '200',
        SIPWARDEN_ADMIN_API_HOST: '127.0.0.1',
        SIPWARDEN_ADMIN_API_PORT: String(adminPort),
      },
    );
    await until(() => stack.edge.cache.nameStatus(NAME)?.state === 'resolved', 5000, 'the name to resolve');
  });

  afterAll(async () => {
    if (stack !== undefined) await stopStack(stack);
    await dns?.close();
  });

  it('allows a REGISTER from 127.0.0.2 while the listed name resolves to it, and logs and counts the match as through the name', async () => {
    const run = await register(ALLOWED, 'anna');
    expect(run.status).toBe(200);
    expect(stack.uas.requests().some((r) => r.callId === run.callId)).toBe(true);
    expect(decisionsFor(run.callId)).toEqual([
      expect.objectContaining({
        result: 'allow',
        reason: 'matched',
        matched_by: 'name',
        entry: { value: NAME, resolved: { name: NAME, address: ALLOWED } },
      }),
    ]);
    const text = await metrics();
    expect(text).toMatch(new RegExp(`^sipwarden_sip_name_matches_total\\{tenant="acme",scope="sip",name="${NAME.replaceAll('.', '\\.')}"\\} 1$`, 'm'));
    expect(text).toMatch(/^sipwarden_dns_resolutions_total\{type="A",outcome="ok"\} [1-9]/m);
    expect(text).toMatch(/^sipwarden_dns_names\{state="resolved"\} 1$/m);
    expect(await authorize(adminPort, ALLOWED, '?tenant=acme&scope=recordings')).toEqual({ status: 204, reason: 'matched' });
  });

  it('refuses the REGISTER from 127.0.0.2 once the record moves to 127.0.0.9, and allows 127.0.0.9', async () => {
    await dns.setRecords({ [NAME]: [MOVED] });
    const took = await until(() => stack.edge.cache.nameStatus(NAME)?.addresses[0] === MOVED, 5000, 'the edge to see the new address');
    expect(took).toBeLessThan(TTL * 1000 + 500);
    const refused = await register(ALLOWED, 'anna');
    expect(refused.status).toBe(403);
    expect(stack.uas.requests().some((r) => r.callId === refused.callId)).toBe(false);
    expect(decisionsFor(refused.callId)).toEqual([expect.objectContaining({ result: 'deny', reason: 'no-match' })]);
    const moved = await register(MOVED, 'anna');
    expect(moved.status).toBe(200);
    expect(decisionsFor(moved.callId)).toEqual([expect.objectContaining({ matched_by: 'name', entry: { value: NAME, resolved: { name: NAME, address: MOVED } } })]);
    expect(await authorize(adminPort, ALLOWED, '?tenant=acme&scope=recordings')).toEqual({ status: 403, reason: 'no-match' });
    expect(await authorize(adminPort, MOVED, '?tenant=acme&scope=recordings')).toEqual({ status: 204, reason: 'matched' });
  });

  it('says matched_by address for a match of an address or block entry', async () => {
    const run = await register(ALLOWED, 'bob');
    expect(run.status).toBe(403);
    await stack.operator.set('sipwarden:{acme}:sip:cidrs', `127.0.0.0/29, ${NAME}`);
    await until(() => stack.edge.cache.decide('acme', 'sip', ALLOWED).allow, 3000, 'the list change');
    const allowed = await register(ALLOWED, 'bob');
    expect(decisionsFor(allowed.callId)).toEqual([expect.objectContaining({ result: 'allow', matched_by: 'address', entry: { value: '127.0.0.0/29' } })]);
  });
});
