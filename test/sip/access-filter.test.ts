import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Decision } from '../../src/policy/index.js';
import { TEST_COUNTRIES } from '../support/countries.js';
import { type AccessFilterOptions, accessFilter } from '../../src/sip/access-filter.js';
import { ACCESS_DECISIONS_METRIC, COUNTRY_MATCHES_METRIC } from '../../src/sip/access-metrics.js';
import { ListenerDirectory } from '../../src/sip/listener-directory.js';
import { compileForwardingTrust } from '../../src/sip/request-source.js';
import { parseListeners } from '../../src/sip/transport.js';
import { type Arrival, dispatch, fixture } from './drachtio-message.js';
import { ANNOUNCED, announcedListeners, capturedLog, cidrFixture, overTcp, overUdp, overWs, tenantsView } from './harness.js';
import { TestPolicyView } from './test-policy-view.js';

function setUp(overrides: Partial<AccessFilterOptions> = {}) {
  const log = capturedLog();
  const registry = new Registry();
  const options: AccessFilterOptions = {
    policy: tenantsView(),
    listeners: announcedListeners(),
    logger: log.logger,
    registry,
    ...overrides,
  };
  const filter = accessFilter(options);
  const send = (name: string, arrival: Arrival) => dispatch(filter, fixture(name), arrival);
  /** The decision lines logged so far. */
  const decisions = () => log.lines.filter((line) => line.event === 'sip_access');
  const count = async (labels: Record<string, string>) => {
    const metric = registry.getSingleMetric(ACCESS_DECISIONS_METRIC);
    const values = metric === undefined ? [] : (await metric.get()).values;
    return values.find((value) => Object.entries(labels).every(([name, label]) => value.labels[name] === label))?.value ?? 0;
  };
  return { send, decisions, count, lines: log.lines };
}

describe('access filter: allowed requests', () => {
  it('passes a desk phone REGISTER over UDP from a listed address and logs the decision with the matched entry', async () => {
    const { send, decisions, count } = setUp();
    const sent = send('deskphone-udp-register.sip', overUdp('198.51.100.20', 5062));
    expect(sent.passed).toBe(true);
    expect(sent.status).toBe(200);
    expect(decisions()).toEqual([
      expect.objectContaining({
        level: 30,
        msg: 'sip request allowed',
        result: 'allow',
        reason: 'matched',
        method: 'REGISTER',
        source_ip: '198.51.100.20',
        source_port: 5062,
        transport: 'udp',
        scope: 'sip',
        tenant: 'acme',
        domain: 'acme.example',
        entry: { value: '198.51.100.0/24', description: 'HQ desk phones' },
        call_id: '1795178745@198.51.100.20',
      }),
    ]);
    expect(await count({ tenant: 'acme', scope: 'sip', method: 'REGISTER', transport: 'udp', result: 'allow' })).toBe(1);
  });

  it('takes the tenant of an INVITE from the Request-URI and of a REGISTER from To', () => {
    const { send, decisions } = setUp();
    expect(send('softphone-tcp-invite.sip', overTcp('198.51.100.30')).passed).toBe(true);
    // The REGISTER's Request-URI names the registrar (beta.example;transport=tcp); To names the AOR.
    expect(send('softphone-tcp-register.sip', overTcp('198.51.100.30')).passed).toBe(true);
    expect(decisions().map((line) => [line.method, line.tenant, line.transport])).toEqual([
      ['INVITE', 'beta', 'tcp'],
      ['REGISTER', 'beta', 'tcp'],
    ]);
  });

  it('judges sip.js over WebSocket by the webrtc list, though drachtio reports the protocol as tcp', () => {
    const { send, decisions } = setUp();
    // 203.0.113.70 is in acme's webrtc list only.
    expect(send('sipjs-ws-register.sip', overWs('203.0.113.70')).passed).toBe(true);
    expect(send('sipjs-ws-invite.sip', overWs('203.0.113.70')).passed).toBe(true);
    // The same address over a UDP or TCP listener is judged by the sip list, which lacks it.
    expect(send('deskphone-udp-register.sip', overUdp('203.0.113.70')).status).toBe(403);
    expect(decisions().map((line) => [line.transport, line.scope, line.result])).toEqual([
      ['ws', 'webrtc', 'allow'],
      ['ws', 'webrtc', 'allow'],
      ['udp', 'sip', 'deny'],
    ]);
  });

  it('lets in-dialog requests by unchecked: their dialog was checked when it began', () => {
    const { send, decisions } = setUp();
    expect(send('deskphone-udp-reinvite.sip', overUdp('192.0.2.200')).passed).toBe(true);
    expect(send('deskphone-udp-bye.sip', overUdp('192.0.2.200')).passed).toBe(true);
    expect(decisions()).toEqual([]);
  });

  it('checks every out-of-dialog method by default, an OPTIONS or MESSAGE scan too', () => {
    const { send, decisions } = setUp();
    for (const name of ['deskphone-udp-options.sip', 'deskphone-udp-message.sip', 'deskphone-udp-register.sip']) {
      expect(send(name, overUdp('192.0.2.200')).status, name).toBe(403);
    }
    expect(decisions().map((line) => line.method)).toEqual(['OPTIONS', 'MESSAGE', 'REGISTER']);
  });

  it('lets by unchecked only the methods configured so', () => {
    const { send, decisions } = setUp({ uncheckedMethods: ['options'] });
    expect(send('deskphone-udp-options.sip', overUdp('192.0.2.200')).passed).toBe(true);
    expect(send('deskphone-udp-message.sip', overUdp('192.0.2.200')).status).toBe(403);
    expect(decisions().map((line) => line.method)).toEqual(['MESSAGE']);
  });
});

describe('access filter: denied requests', () => {
  it('answers 403 Forbidden with nothing about the list, logs why and counts it', async () => {
    const { send, decisions, count } = setUp();
    const sent = send('deskphone-udp-invite.sip', overUdp('192.0.2.200'));
    expect(sent.passed).toBe(false);
    expect(sent.status).toBe(403);
    expect((sent.res as unknown as { reason: string }).reason).toBe('Forbidden');
    // Not even the request's Call-ID, CSeq, From and To that drachtio-srf copies: drachtio-server
    // fills them in from the request (RFC 3261 §8.2.6.2), and they could make the command too big.
    expect(Object.keys(sent.res.headers)).toEqual([]);
    expect(decisions()).toEqual([
      expect.objectContaining({ level: 40, msg: 'sip request denied', result: 'deny', reason: 'no-match', source_ip: '192.0.2.200', tenant: 'acme', scope: 'sip' }),
    ]);
    expect(decisions()[0]).not.toHaveProperty('entry');
    expect(await count({ tenant: 'acme', scope: 'sip', method: 'INVITE', transport: 'udp', result: 'deny' })).toBe(1);
  });

  it('judges a UDP request whose Via claims WSS by the sip list', () => {
    const { send, decisions } = setUp();
    // 203.0.113.70 is allowed by acme's webrtc list and not by its sip list.
    expect(send('udp-register-via-wss.sip', overUdp('203.0.113.70')).status).toBe(403);
    expect(decisions()[0]).toMatchObject({ transport: 'udp', scope: 'sip', reason: 'no-match' });
  });

  it('still checks a REGISTER that carries a To tag: registrations belong to no dialog', () => {
    const { send, decisions } = setUp();
    expect(send('deskphone-udp-register-to-tag.sip', overUdp('192.0.2.200')).status).toBe(403);
    expect(decisions()).toHaveLength(1);
  });

  it('denies a request that arrived on a listener it does not know', () => {
    const { send, decisions, count } = setUp();
    const stranger: Arrival = { ...overUdp('198.51.100.20'), receivedOn: '127.0.0.1:5070' };
    expect(send('deskphone-udp-register.sip', stranger).status).toBe(403);
    expect(decisions()[0]).toMatchObject({ reason: 'unknown-listener', result: 'deny', source_ip: '198.51.100.20' });
    expect(decisions()[0]).not.toHaveProperty('scope');
    return expect(count({ tenant: 'none', scope: 'none', transport: 'none', method: 'REGISTER', result: 'deny' })).resolves.toBe(1);
  });

  it('denies everything while the lists are not loaded', () => {
    const policy = tenantsView();
    policy.ready = false;
    const { send, decisions } = setUp({ policy });
    expect(send('deskphone-udp-register.sip', overUdp('198.51.100.20')).status).toBe(403);
    expect(decisions()[0]).toMatchObject({ reason: 'policy-unavailable' });
  });

  it('fails closed when deciding throws, and logs the error', () => {
    class BrokenView extends TestPolicyView {
      override decide(): Decision {
        throw new Error('cache exploded');
      }
    }
    const { send, decisions } = setUp({ policy: new BrokenView() });
    expect(send('deskphone-udp-register.sip', overUdp('198.51.100.20')).status).toBe(403);
    expect(decisions()[0]).toMatchObject({ level: 50, reason: 'internal-error', result: 'deny', err: expect.objectContaining({ message: 'cache exploded' }) });
  });
});

describe('access filter: countries', () => {
  const countries = TEST_COUNTRIES;

  it('allows by country with the reason and the country in the log line and its own counter; a denied source logs its country', async () => {
    const registry = new Registry();
    const policy = new TestPolicyView().mapDomain('acme.example', 'acme').setCountries('acme', 'sip', '203.0.113.7', 'de', countries);
    const { send, decisions } = setUp({ policy, registry });
    expect(send('deskphone-udp-register.sip', overUdp('198.51.100.20')).passed).toBe(true);
    expect(send('deskphone-udp-register.sip', overUdp('203.0.113.7')).passed).toBe(true);
    expect(send('deskphone-udp-register.sip', overUdp('203.0.113.8')).status).toBe(403);
    expect(decisions().map((l) => [l.result, l.reason, l.matched_by, l.country])).toEqual([
      ['allow', 'country-allowed', 'country', 'DE'],
      ['allow', 'matched', 'address', undefined],
      ['deny', 'no-match', undefined, 'FR'],
    ]);
    const values = (await registry.getSingleMetric(COUNTRY_MATCHES_METRIC)!.get()).values;
    expect(values).toEqual([{ labels: { tenant: 'acme', scope: 'sip', country: 'DE' }, value: 1 }]);
  });
});

describe('access filter: tenants', () => {
  it('gives an unmapped domain the default tenant by default', () => {
    const { send, decisions } = setUp();
    const raw = fixture('deskphone-udp-register.sip').replaceAll('acme.example', 'unknown.example');
    const filter = accessFilter({ policy: tenantsView(), listeners: announcedListeners(), logger: capturedLog().logger, registry: new Registry() });
    expect(dispatch(filter, raw, overUdp('192.0.2.10')).passed).toBe(true);
    expect(send('softphone-tcp-invite-tel.sip', overTcp('192.0.2.10')).passed).toBe(true);
    expect(decisions()[0]).toMatchObject({ tenant: 'default', reason: 'matched' });
    expect(decisions()[0]).not.toHaveProperty('domain');
  });

  it('rejects unmapped domains when configured to, with the same 403', () => {
    const { send, decisions } = setUp({ unmappedDomain: 'reject' });
    expect(send('softphone-tcp-invite-tel.sip', overTcp('192.0.2.10')).status).toBe(403);
    expect(send('deskphone-udp-register.sip', overUdp('198.51.100.20')).passed).toBe(true);
    expect(decisions().map((line) => line.reason)).toEqual(['unmapped-domain', 'matched']);
  });
});

describe('access filter: forwarded addresses', () => {
  const trust = (() => {
    const result = compileForwardingTrust(cidrFixture('trusted-proxies.txt'));
    if (!result.ok) throw new Error(result.message);
    return result.trust;
  })();

  it('judges a call through a trusted SBC by the client address the SBC forwards', () => {
    const { send, decisions } = setUp({ forwarding: trust });
    expect(send('sbc-udp-invite-xff.sip', overUdp('10.20.0.5')).passed).toBe(true);
    expect(decisions()[0]).toMatchObject({ source_ip: '203.0.113.50', forwarded_by: '10.20.0.5', reason: 'matched' });
  });

  it('walks a WebSocket gateway chain past the trusted hops', () => {
    const { send, decisions } = setUp({ forwarding: trust });
    expect(send('sipjs-ws-register-xff.sip', overWs('10.20.0.7')).passed).toBe(true);
    expect(decisions()[0]).toMatchObject({ source_ip: '203.0.113.77', forwarded_by: '10.20.0.7', scope: 'webrtc' });
  });

  it('reads every spelling of the header in message order', () => {
    const { send, decisions } = setUp({ forwarding: trust });
    // The chain is 203.0.113.9, 192.0.2.99: the rightmost untrusted hop is the client.
    expect(send('sbc-udp-register-xff-split.sip', overUdp('10.20.0.5')).status).toBe(403);
    expect(decisions()[0]).toMatchObject({ source_ip: '192.0.2.99' });
  });

  it('ignores the header from an untrusted source and logs a spoof attempt', () => {
    const { send, decisions } = setUp({ forwarding: trust });
    // 192.0.2.200 forwards a listed address; it is judged by its own.
    expect(send('sbc-udp-invite-xff.sip', overUdp('192.0.2.200')).status).toBe(403);
    expect(decisions()[0]).toMatchObject({
      level: 40,
      source_ip: '192.0.2.200',
      spoofed_forwarded_header: '203.0.113.50',
      msg: expect.stringContaining('spoof attempt'),
    });
  });

  it('trusts no one by default', () => {
    const { send, decisions } = setUp();
    expect(send('sbc-udp-invite-xff.sip', overUdp('10.20.0.5')).status).toBe(403);
    expect(decisions()[0]).toMatchObject({ source_ip: '10.20.0.5', spoofed_forwarded_header: '203.0.113.50' });
  });

  it('honours a configured header name instead', () => {
    const custom = compileForwardingTrust('10.20.0.0/24', 'X-Real-Client');
    if (!custom.ok) throw new Error(custom.message);
    const { send, decisions } = setUp({ forwarding: custom.trust });
    const raw = fixture('sbc-udp-invite-xff.sip').replace('X-Forwarded-For', 'X-Real-Client');
    const filter = accessFilter({ policy: tenantsView(), listeners: announcedListeners(), forwarding: custom.trust, logger: capturedLog().logger, registry: new Registry() });
    expect(dispatch(filter, raw, overUdp('10.20.0.5')).passed).toBe(true);
    // X-Forwarded-For is now just another header.
    expect(send('sbc-udp-invite-xff.sip', overUdp('10.20.0.5')).status).toBe(403);
    expect(decisions()[0]).toMatchObject({ source_ip: '10.20.0.5' });
    expect(decisions()[0]).not.toHaveProperty('spoofed_forwarded_header');
  });
});

describe('access filter: configured listeners', () => {
  it('maps a listener drachtio did not announce, wildcard addresses included', () => {
    const listeners = new ListenerDirectory(parseListeners('wss/0.0.0.0:8443').listeners);
    listeners.announce(ANNOUNCED, parseListeners(ANNOUNCED).listeners);
    const { send, decisions } = setUp({ listeners });
    const overWss: Arrival = { protocol: 'tls', source: '203.0.113.70', port: 50000, receivedOn: '10.0.0.5:8443', server: ANNOUNCED };
    expect(send('sipjs-ws-register.sip', overWss).passed).toBe(true);
    expect(decisions()[0]).toMatchObject({ transport: 'wss', scope: 'webrtc' });
  });
});
