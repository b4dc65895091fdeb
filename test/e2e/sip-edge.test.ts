/**
 * The main job end to end: sipwarden as `npm start` runs it (configuration
 * from environment variables, lists in a real redis-server) against a real
 * drachtio-server, with sipp and sip.js as clients and a sipp UAS as the
 * upstream PBX. Clients send from 127.0.0.2 (listed) or 127.0.0.3 (not listed).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sipwarden } from '../../src/app.js';
import { fixture } from '../sip/drachtio-message.js';
import { capturedLog } from '../sip/harness.js';
import { freePort, waitFor } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { type DrachtioPorts, type DrachtioServer, findDrachtio, startDrachtio } from './drachtio-server.js';
import { ALLOWED, DENIED, inboundEdgeEnv, pushLists, startMainJob, stopStack } from './main-job.js';
import { fresh, registerOverWebSocket, sendUdp } from './sip-clients.js';
import { type SippUas, type UacOptions, runUac, startUas } from './sipp.js';

/** Without a binary the suite is skipped; the global setup says so once. */
const binary = findDrachtio();

describe.skipIf(binary === undefined)('SIP edge with a real drachtio-server', () => {
  const log = capturedLog();
  let redis: RedisServer;
  let operator: Redis;
  let ports: DrachtioPorts;
  let drachtio: DrachtioServer;
  let uas: SippUas;
  let edge: Sipwarden;
  let healthBeforeDrachtio: unknown;
  /** Where tenant gone's upstream should be: nothing listens there. */
  let closedPort: number;

  const health = async () => {
    const response = await fetch(`http://127.0.0.1:${edge.httpPort}/health`);
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const ready = () => waitFor('edge ready', async () => ((await health()).status === 200 ? true : undefined));
  const uac = (options: Omit<UacOptions, 'to'>) => runUac({ ...options, to: ports.sip });
  const upstreamSaw = (callId: string | undefined) => uas.requests().filter((request) => request.callId === callId);
  const decisionsFor = (callId: string | undefined) => log.lines.filter((line) => line.event === 'sip_access' && line.call_id === callId);

  beforeAll(async () => {
    ports = { admin: await freePort(), sip: await freePort(), ws: await freePort() };
    closedPort = await freePort();
    uas = await startUas();
    redis = await RedisServer.start();
    operator = redis.client();
    await pushLists(
      operator,
      {
        '{acme}:sip': ALLOWED,
        '{acme}:webrtc': ALLOWED,
        // For the Via test: the webrtc list lets 127.0.0.3 in, the sip list does not.
        '{liars}:sip': ALLOWED,
        '{liars}:webrtc': DENIED,
        '{gone}:sip': ALLOWED,
      },
      { 'acme.example': 'acme', 'liars.example': 'liars', 'gone.example': 'gone' },
    );
    // The edge starts first: it has to keep retrying until drachtio-server is up.
    edge = await startMainJob(
      inboundEdgeEnv(ports.admin, uas.port, {
        REDIS_URL: redis.url,
        SIPWARDEN_TENANT_UPSTREAMS: `gone=sip:127.0.0.1:${closedPort};transport=tcp`,
        SIPWARDEN_UPSTREAM_PROBE_MS: '200',
        SIPWARDEN_UNCHECKED_METHODS: 'OPTIONS',
      }),
      log.logger,
    );
    await waitFor('a failed connection attempt', () => (log.lines.some((line) => line.msg?.toString().startsWith('drachtio-server unreachable')) ? true : undefined));
    healthBeforeDrachtio = await health();
    drachtio = await startDrachtio(binary!, ports);
    await ready();
  });

  afterAll(async () => {
    await stopStack({ edge, drachtio, uas, operator, redis });
  });

  it('reports not ready while drachtio-server is unreachable, then connects and learns its listeners', async () => {
    expect(healthBeforeDrachtio).toEqual({ status: 503, body: { status: 'not-ready', drachtio: false, lists: true } });
    expect(await health()).toEqual({ status: 200, body: { status: 'ready', drachtio: true, lists: true } });
    const connected = log.lines.find((line) => line.msg === 'connected to drachtio-server');
    expect(connected?.listeners).toBe(`ws/127.0.0.1:${ports.ws},tcp/127.0.0.1:${ports.sip},udp/127.0.0.1:${ports.sip}`);
  });

  it('passes REGISTER from an allowed desk phone (udp) and softphone (tcp) through to the upstream', async () => {
    for (const transport of ['udp', 'tcp'] as const) {
      const run = await uac({ scenario: 'uac-register.xml', from: ALLOWED, domain: 'acme.example', user: `alice-${transport}`, transport });
      expect(run).toMatchObject({ status: 200, exitCode: 0 });
      expect(upstreamSaw(run.callId).map((request) => request.method)).toEqual(['REGISTER']);
      expect(decisionsFor(run.callId)).toEqual([expect.objectContaining({ result: 'allow', source_ip: ALLOWED, transport, scope: 'sip', tenant: 'acme' })]);
    }
  });

  it('passes an allowed INVITE, and the in-dialog ACK and BYE reach the upstream through drachtio-server', async () => {
    const run = await uac({ scenario: 'uac-invite-bye.xml', from: ALLOWED, domain: 'acme.example', user: '1001', transport: 'udp' });
    expect(run).toMatchObject({ status: 200, exitCode: 0 });
    const seen = await waitFor('the BYE upstream', () => {
      const requests = upstreamSaw(run.callId);
      return requests.some((request) => request.method === 'BYE') ? requests : undefined;
    });
    expect(seen.map((request) => request.method)).toEqual(['INVITE', 'ACK', 'BYE']);
    const bye = seen.find((request) => request.method === 'BYE')!;
    // drachtio-server's own Via on top: the BYE was relayed along the record-route, not sent direct.
    expect(bye.vias[0]).toMatch(new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${ports.sip};`));
    expect(bye.vias[1]).toContain(ALLOWED);
    // Only the INVITE was checked.
    expect(decisionsFor(run.callId)).toHaveLength(1);
  });

  it('answers 403 to REGISTER and INVITE from a denied source, and the upstream never sees them', async () => {
    const register = await uac({ scenario: 'uac-register.xml', from: DENIED, domain: 'acme.example', user: 'mallory', transport: 'udp' });
    const invite = await uac({ scenario: 'uac-invite-bye.xml', from: DENIED, domain: 'acme.example', user: '1001', transport: 'tcp' });
    expect(register).toMatchObject({ status: 403, exitCode: 0 });
    expect(invite).toMatchObject({ status: 403, exitCode: 0 });
    expect(upstreamSaw(register.callId)).toEqual([]);
    expect(upstreamSaw(invite.callId)).toEqual([]);
    expect(uas.requests().flatMap((request) => request.vias).filter((via) => via.includes(DENIED))).toEqual([]);
    expect(decisionsFor(invite.callId)).toEqual([expect.objectContaining({ result: 'deny', reason: 'no-match', source_ip: DENIED, transport: 'tcp' })]);
  });

  it('proxies the methods configured unchecked, checks every other, and refuses a forged dialog', async () => {
    const send = (name: string) => {
      const raw = fresh(fixture(name));
      return { callId: /^Call-ID: (.*)$/m.exec(raw)![1], answer: sendUdp(raw, DENIED, ports.sip) };
    };
    const options = send('deskphone-udp-options.sip');
    const message = send('deskphone-udp-message.sip');
    const forged = send('deskphone-udp-message-to-tag.sip');
    expect(await options.answer).toBe('SIP/2.0 200 OK');
    expect(await message.answer).toBe('SIP/2.0 403 Forbidden');
    // Let past the check as in-dialog, it names a dialog drachtio-server does not relay (RFC 3261 §12.2.2).
    expect(await forged.answer).toMatch(/^SIP\/2\.0 481 /);
    expect(log.lines.filter((line) => line.call_id === forged.callId).map((line) => line.msg)).toEqual(['sip request for an unknown dialog answered 481']);
    expect(upstreamSaw(options.callId).map((request) => request.method)).toEqual(['OPTIONS']);
    expect([...upstreamSaw(message.callId), ...upstreamSaw(forged.callId)]).toEqual([]);
  });

  it('registers sip.js over WebSocket from an allowed address and refuses it from a denied one', async () => {
    const server = `ws://127.0.0.1:${ports.ws}`;
    expect(await registerOverWebSocket('sip:alice@acme.example', server, ALLOWED)).toBe(200);
    expect(await registerOverWebSocket('sip:mallory@acme.example', server, DENIED)).toBe(403);
    // sip.js unregisters when it stops: another new REGISTER, checked too.
    const overWs = log.lines.filter((line) => line.event === 'sip_access' && line.transport === 'ws');
    expect(new Set(overWs.map((line) => `${line.source_ip} ${line.scope} ${line.result}`))).toEqual(new Set([`${ALLOWED} webrtc allow`, `${DENIED} webrtc deny`]));
  });

  it('never judges a UDP request by the webrtc list because its Via claims WSS', async () => {
    // The webrtc list of liars.example lets 127.0.0.3 in, as sip.js shows; its sip list does not.
    expect(await registerOverWebSocket('sip:mallory@liars.example', `ws://127.0.0.1:${ports.ws}`, DENIED)).toBe(200);
    const liar = fresh(fixture('udp-register-via-wss.sip').replaceAll('acme.example', 'liars.example'));
    const honest = fresh(fixture('deskphone-udp-register.sip').replaceAll('acme.example', 'liars.example'));
    const liarCallId = /^Call-ID: (.*)$/m.exec(liar)![1];
    // drachtio-server 0.9.10 (sofia-sip) already drops a UDP request whose Via names another
    // transport; whatever reaches the edge is judged by the listener, hence the sip list.
    expect((await sendUdp(liar, DENIED, ports.sip, 1500)) ?? 'no answer').not.toMatch(/^SIP\/2\.0 2/);
    expect(await sendUdp(honest, DENIED, ports.sip)).toBe('SIP/2.0 403 Forbidden');
    expect(decisionsFor(liarCallId).map((line) => line.scope)).not.toContain('webrtc');
    expect(upstreamSaw(liarCallId)).toEqual([]);
  });

  it('follows a list pushed to Redis during the run, without a restart', async () => {
    const register = () => uac({ scenario: 'uac-register.xml', from: DENIED, domain: 'acme.example', user: 'carol', transport: 'udp' });
    expect((await register()).status).toBe(403);
    await operator
      .multi()
      .hset('sipwarden:{acme}:sip:entries', DENIED, JSON.stringify({ active: true, description: 'added during the run' }))
      .set('sipwarden:{acme}:sip:cidrs', `${ALLOWED}, ${DENIED}`)
      .exec();
    await waitFor('the edge to enforce the pushed list', () => (edge.cache.decide('acme', 'sip', DENIED).allow ? true : undefined), 2000, 5);
    const allowed = await register();
    expect(allowed.status).toBe(200);
    expect(decisionsFor(allowed.callId)[0]).toMatchObject({ entry: { value: DENIED, description: 'added during the run' } });
    await operator.set('sipwarden:{acme}:sip:cidrs', ALLOWED);
    await waitFor('the edge to enforce the shorter list', () => (edge.cache.decide('acme', 'sip', DENIED).allow ? undefined : true), 2000, 5);
    expect((await register()).status).toBe(403);
  });

  it('answers 503 while a tenant\'s upstream does not answer its probes, and keeps serving the others', async () => {
    const metrics = () => fetch(`http://127.0.0.1:${edge.httpPort}/metrics`).then((response) => response.text());
    const gone = `sipwarden_sip_upstream_up{upstream="sip:127.0.0.1:${closedPort};transport=tcp"} 0`;
    await waitFor('the probe to find the upstream down', async () => ((await metrics()).includes(gone) ? true : undefined));
    expect(await metrics()).toContain(`sipwarden_sip_upstream_up{upstream="sip:127.0.0.1:${uas.port}"} 1`);
    const status = await sendUdp(fresh(fixture('deskphone-udp-register.sip').replaceAll('acme.example', 'gone.example')), ALLOWED, ports.sip);
    expect(status).toBe('SIP/2.0 503 Service Unavailable');
    const after = await uac({ scenario: 'uac-register.xml', from: ALLOWED, domain: 'acme.example', user: 'dave', transport: 'udp' });
    expect(after.status).toBe(200);
  });

  it('serves the decision counters on /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${edge.httpPort}/metrics`)).text();
    expect(text).toMatch(/^sipwarden_sip_access_decisions_total\{tenant="acme",scope="sip",method="REGISTER",transport="udp",result="allow"\} [1-9]/m);
    expect(text).toMatch(/^sipwarden_sip_access_decisions_total\{tenant="acme",scope="webrtc",method="REGISTER",transport="ws",result="deny"\} 1$/m);
  });

  it('reconnects after drachtio-server restarts', async () => {
    await drachtio.stop();
    await waitFor('edge not ready', async () => ((await health()).status === 503 ? true : undefined));
    drachtio = await startDrachtio(binary!, ports);
    await ready();
    const run = await uac({ scenario: 'uac-register.xml', from: ALLOWED, domain: 'acme.example', user: 'erin', transport: 'udp' });
    expect(run.status).toBe(200);
  });
});

describe.skipIf(binary === undefined)('SIP edge taking outbound connections from drachtio-server, lists from the embedded store', () => {
  const log = capturedLog();
  let drachtio: DrachtioServer;
  let uas: SippUas;
  let edge: Sipwarden;
  let sipPort: number;
  let listsDir: string;

  beforeAll(async () => {
    const appPort = await freePort();
    const ports = { admin: await freePort(), sip: await freePort(), ws: await freePort() };
    sipPort = ports.sip;
    uas = await startUas();
    listsDir = mkdtempSync(join(tmpdir(), 'sipwarden-e2e-'));
    const listsFile = join(listsDir, 'lists.json');
    writeFileSync(listsFile, JSON.stringify({ domains: { 'acme.example': 'acme' }, lists: [{ tenant: 'acme', scope: 'sip', cidrs: ALLOWED }] }));
    edge = await startMainJob(
      {
        SIPWARDEN_LISTS_FILE: listsFile,
        SIPWARDEN_DRACHTIO_MODE: 'outbound',
        SIPWARDEN_DRACHTIO_LISTEN_HOST: '127.0.0.1',
        SIPWARDEN_DRACHTIO_LISTEN_PORT: String(appPort),
        SIP_UPSTREAM: `127.0.0.1:${uas.port}`,
        SIPWARDEN_UPSTREAM_PROBE_MS: '0',
      },
      log.logger,
    );
    const handlers = ['REGISTER', 'INVITE'].map((method) => `<request-handler sip-method="${method}">tcp://127.0.0.1:${appPort}</request-handler>`);
    drachtio = await startDrachtio(binary!, ports, `<request-handlers>${handlers.join('')}</request-handlers>`);
  });

  afterAll(async () => {
    await edge?.close();
    await drachtio?.stop();
    await uas?.stop();
    rmSync(listsDir, { recursive: true, force: true });
  });

  it('checks the requests drachtio-server hands over its own connections', async () => {
    const allowed = await runUac({ scenario: 'uac-register.xml', from: ALLOWED, domain: 'acme.example', user: 'frank', transport: 'udp', to: sipPort });
    const denied = await runUac({ scenario: 'uac-invite-bye.xml', from: DENIED, domain: 'acme.example', user: '1001', transport: 'udp', to: sipPort });
    expect([allowed.status, denied.status]).toEqual([200, 403]);
    expect(uas.requests().map((request) => request.callId)).toEqual([allowed.callId]);
    expect(log.lines.filter((line) => line.event === 'sip_access').map((line) => [line.transport, line.result])).toEqual([
      ['udp', 'allow'],
      ['udp', 'deny'],
    ]);
  });
});
