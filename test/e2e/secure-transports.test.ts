/**
 * SIP over TLS (desk phones, RFC 3261 §26.2) and over secure WebSocket
 * (browsers, RFC 7118) end to end: a real drachtio-server with tls and wss
 * listeners presenting a certificate from a CA made for this run, the main
 * job with lists in a real redis-server, a sipp UAS as the upstream PBX.
 *
 * The two tenants' lists are mirror images, so a request judged by the wrong
 * scope's list gets the opposite answer: phones.example lets 127.0.0.2 in by
 * its sip list and 127.0.0.3 by its webrtc list; browsers.example the reverse.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sipwarden } from '../../src/app.js';
import { fixture } from '../sip/drachtio-message.js';
import { capturedLog } from '../sip/harness.js';
import { freePort, waitFor } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { type DrachtioPorts, type DrachtioServer, findDrachtio, startDrachtio } from './drachtio-server.js';
import { ALLOWED, DENIED, health, inboundEdgeEnv, pushLists, startMainJob, stopStack } from './main-job.js';
import { fresh, registerOverWebSocket } from './sip-clients.js';
import { type LocalEnd, sendTls } from './sip-stream-client.js';
import { type SippUas, startUas } from './sipp.js';
import { type ServerCertificate, makeServerCertificate } from './throwaway-ca.js';

/** Without a binary the suite is skipped; the global setup says so once. */
const binary = findDrachtio();

type Tenant = 'phones' | 'browsers';

describe.skipIf(binary === undefined)('TLS and WSS listeners of a real drachtio-server', () => {
  const log = capturedLog();
  let certificate: ServerCertificate;
  let redis: RedisServer;
  let operator: Redis;
  let ports: Required<DrachtioPorts>;
  let drachtio: DrachtioServer;
  let uas: SippUas;
  let edge: Sipwarden;

  const decisions = (transport: string) => log.lines.filter((line) => line.event === 'sip_access' && line.transport === transport);

  /**
   * The Yealink's REGISTER as it sends it over TLS: a TLS Via with its real
   * address and port (RFC 3261 §18.1.1) and a transport=tls Contact. The
   * Request-URI stays sip:, as phones on TLS commonly send it: sips: would ask
   * for TLS on every hop (RFC 3261 §26.2.2), up to the UDP upstream too.
   */
  async function registerOverTls(tenant: Tenant, from: string): Promise<{ status: string | undefined; callId: string }> {
    const raw = fresh(fixture('deskphone-udp-register.sip')).replaceAll('acme.example', `${tenant}.example`);
    const callId = /^Call-ID: (.*)$/m.exec(raw)![1]!;
    const overTls = (local: LocalEnd) =>
      raw
        .replace('SIP/2.0/UDP 198.51.100.20:5060', `SIP/2.0/TLS ${local.address}:${local.port}`)
        .replace('<sip:201@198.51.100.20:5060>', `<sip:201@${local.address}:${local.port};transport=tls>`);
    return { status: await sendTls(overTls, from, ports.tls, certificate.caPem), callId };
  }

  beforeAll(async () => {
    certificate = makeServerCertificate();
    ports = { admin: await freePort(), sip: await freePort(), ws: await freePort(), tls: await freePort(), wss: await freePort() };
    uas = await startUas();
    redis = await RedisServer.start();
    operator = redis.client();
    await pushLists(
      operator,
      { '{phones}:sip': ALLOWED, '{phones}:webrtc': DENIED, '{browsers}:sip': DENIED, '{browsers}:webrtc': ALLOWED },
      { 'phones.example': 'phones', 'browsers.example': 'browsers' },
    );
    drachtio = await startDrachtio(binary!, ports, '', { certificate });
    edge = await startMainJob(
      inboundEdgeEnv(ports.admin, uas.port, { REDIS_URL: redis.url, SIPWARDEN_UPSTREAM_PROBE_MS: '0' }),
      log.logger,
    );
    await waitFor('edge ready', async () => ((await health(edge.httpPort)).status === 200 ? true : undefined));
  });

  afterAll(async () => {
    await stopStack({ edge, drachtio, uas, operator, redis });
    certificate?.remove();
  });

  it('learns the tls and wss listeners drachtio-server announces, and can use every one', () => {
    const connected = log.lines.find((line) => line.msg === 'connected to drachtio-server');
    expect(String(connected?.listeners).split(',').sort()).toEqual(
      [`tls/127.0.0.1:${ports.tls}`, `wss/127.0.0.1:${ports.wss}`, `ws/127.0.0.1:${ports.ws}`, `tcp/127.0.0.1:${ports.sip}`, `udp/127.0.0.1:${ports.sip}`].sort(),
    );
    expect(log.lines.filter((line) => line.level === 40 && String(line.msg).includes('announced listeners'))).toEqual([]);
  });

  it('judges desk phones over TLS by the sip list', async () => {
    const cases: Array<[Tenant, string, string]> = [
      ['phones', ALLOWED, 'SIP/2.0 200 OK'],
      ['phones', DENIED, 'SIP/2.0 403 Forbidden'],
      ['browsers', ALLOWED, 'SIP/2.0 403 Forbidden'],
      ['browsers', DENIED, 'SIP/2.0 200 OK'],
    ];
    for (const [tenant, from, expected] of cases) {
      const { status, callId } = await registerOverTls(tenant, from);
      expect(status, `${from} to ${tenant}.example`).toBe(expected);
      const allowed = expected.startsWith('SIP/2.0 200');
      expect(decisions('tls').filter((line) => line.call_id === callId)).toEqual([
        expect.objectContaining({ result: allowed ? 'allow' : 'deny', source_ip: from, scope: 'sip', tenant }),
      ]);
      expect(uas.requests().filter((request) => request.callId === callId).map((request) => request.method)).toEqual(allowed ? ['REGISTER'] : []);
    }
  });

  it('judges sip.js over WSS by the webrtc list', async () => {
    const server = `wss://127.0.0.1:${ports.wss}`;
    const register = (tenant: Tenant, from: string) => registerOverWebSocket(`sip:alice@${tenant}.example`, server, from, certificate.caPem);
    expect(await register('browsers', ALLOWED)).toBe(200);
    expect(await register('browsers', DENIED)).toBe(403);
    expect(await register('phones', ALLOWED)).toBe(403);
    expect(await register('phones', DENIED)).toBe(200);
    // sip.js unregisters when it stops: another new REGISTER, checked too.
    expect(new Set(decisions('wss').map((line) => `${line.source_ip} ${line.tenant} ${line.scope} ${line.result}`))).toEqual(
      new Set([`${ALLOWED} browsers webrtc allow`, `${DENIED} browsers webrtc deny`, `${ALLOWED} phones webrtc deny`, `${DENIED} phones webrtc allow`]),
    );
  });
});
