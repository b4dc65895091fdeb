/**
 * Issue 9, cases 1, 2 and 5, end to end: what an unlisted source (or a
 * careless listed one) sends must neither reach the PBX nor disturb the
 * listed clients, and every request gets a final answer. A real
 * drachtio-server, a real redis-server, a sipp UAS as the PBX; raw requests
 * over udp and tcp from 127.0.0.2 (listed) and 127.0.0.3 (not listed), while
 * a listed phone keeps registering.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture } from '../sip/drachtio-message.js';
import { capturedLog } from '../sip/harness.js';
import { findDrachtio } from './drachtio-server.js';
import { ALLOWED, DENIED, type InboundStack, startInboundStack, stopStack } from './main-job.js';
import { exchangeUdp, fresh, sendUdp } from './sip-clients.js';
import { sendTcp } from './sip-stream-client.js';

/** Without a binary the suite is skipped; the global setup says so once. */
const binary = findDrachtio();

/** A fixture with its Request-URI's user part replaced (or added). */
function withRequestUser(raw: string, user: string): string {
  return raw.replace(/^(\S+) sip:(?:[^@\s]*@)?/, `$1 sip:${user}@`);
}

/** A fixture with `method` in its start line and CSeq. */
function withMethod(raw: string, method: string): string {
  const original = /^(\S+)/.exec(raw)![1]!;
  return raw.replace(/^\S+/, method).replace(new RegExp(`^CSeq: (\\d+) ${original}`, 'm'), `CSeq: $1 ${method}`);
}

/** The fixture's Via rewritten for a stream transport. */
function overTcp(raw: string): string {
  return raw.replace(/^Via: SIP\/2\.0\/UDP/m, 'Via: SIP/2.0/TCP');
}

const callIdOf = (raw: string) => /^Call-ID: (.*)$/m.exec(raw)![1]!;

describe.skipIf(binary === undefined)('the edge under hostile input', () => {
  const log = capturedLog();
  let stack: InboundStack;

  const upstreamSaw = (callId: string) => stack.uas.requests().filter((request) => request.callId === callId);
  const linkDrops = () => log.lines.filter((line) => line.msg === 'lost the connection to drachtio-server').length;

  /**
   * A listed desk phone registering over udp every 50 ms (20/s) while
   * `attack` runs; resolves with every final status it got.
   */
  async function whileRegistering(attack: () => Promise<void>): Promise<Array<string | undefined>> {
    const statuses: Array<Promise<string | undefined>> = [];
    let running = true;
    const phone = (async () => {
      while (running) {
        statuses.push(sendUdp(fresh(fixture('deskphone-udp-register.sip')), ALLOWED, stack.ports.sip, 3000));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    // A second of traffic before, during and after the attack.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await attack();
    await new Promise((resolve) => setTimeout(resolve, 700));
    running = false;
    await phone;
    return Promise.all(statuses);
  }

  beforeAll(async () => {
    // The default tenant (domains mapped to no tenant, such as a scanner's
    // sip:100@127.0.0.1) is locked down too, as an operator would.
    stack = await startInboundStack(binary!, { '{acme}:sip': ALLOWED, '{default}:sip': ALLOWED }, { 'acme.example': 'acme' }, log.logger);
  });

  afterAll(async () => {
    await stopStack(stack ?? {});
  });

  it('case 1: 6,000-character Request-URIs from an unlisted source neither drop the drachtio link nor disturb a listed phone', async () => {
    const answers: Array<string | undefined> = [];
    const statuses = await whileRegistering(async () => {
      for (let i = 0; i < 5; i++) {
        for (const name of ['deskphone-udp-options.sip', 'deskphone-udp-message.sip']) {
          answers.push(await sendUdp(withRequestUser(fresh(fixture(name)), 'x'.repeat(6000)), DENIED, stack.ports.sip));
        }
        answers.push(await sendUdp(fresh(fixture('deskphone-udp-options.sip')), DENIED, stack.ports.sip));
      }
    });
    expect(new Set(answers)).toEqual(new Set(['SIP/2.0 403 Forbidden']));
    expect(statuses.length).toBeGreaterThan(15);
    expect(statuses.filter((status) => status !== 'SIP/2.0 200 OK')).toEqual([]);
    expect(linkDrops()).toBe(0);
    expect(stack.drachtio.output()).not.toContain('disconnecting client');
  });

  it('case 1: a listed source with a 6,000-character Request-URI gets 414 over udp and tcp, and the link stays up', async () => {
    const longRegister = () => withRequestUser(fresh(fixture('deskphone-udp-register.sip')), 'y'.repeat(6000));
    const answers: Array<string | undefined> = [];
    const statuses = await whileRegistering(async () => {
      for (let i = 0; i < 3; i++) {
        answers.push(await sendUdp(longRegister(), ALLOWED, stack.ports.sip));
        answers.push(await sendUdp(withRequestUser(fresh(fixture('deskphone-udp-options.sip')), 'y'.repeat(6000)), ALLOWED, stack.ports.sip));
        answers.push(await sendTcp(() => overTcp(longRegister()), ALLOWED, stack.ports.sip));
      }
    });
    expect(new Set(answers)).toEqual(new Set(['SIP/2.0 414 Request-URI Too Long']));
    expect(statuses.filter((status) => status !== 'SIP/2.0 200 OK')).toEqual([]);
    expect(linkDrops()).toBe(0);
    expect(log.lines.filter((line) => line.msg === 'sip request too long to proxy; answered 414')).toHaveLength(9);
    const metrics = await (await fetch(`http://127.0.0.1:${stack.edge.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^sipwarden_sip_refused_total\{reason="request-uri-too-long",method="REGISTER"\} 6$/m);
  });

  it('case 1: oversized From, To and Call-ID headers, which every answer echoes, do not drop the link', async () => {
    const big = 'z'.repeat(7000);
    const raw = fresh(fixture('deskphone-udp-register.sip'))
      .replace(/^From: .*$/m, `From: <sip:${big}@acme.example>;tag=1`)
      .replace(/^To: .*$/m, `To: <sip:${big}@acme.example>`);
    const answers: Array<string | undefined> = [];
    const statuses = await whileRegistering(async () => {
      answers.push(await sendUdp(raw, DENIED, stack.ports.sip));
      answers.push(await sendTcp(() => overTcp(raw.replace(/^Call-ID: .*$/m, `Call-ID: ${big}`)), DENIED, stack.ports.sip));
    });
    expect(answers).toEqual(['SIP/2.0 403 Forbidden', 'SIP/2.0 403 Forbidden']);
    expect(statuses.filter((status) => status !== 'SIP/2.0 200 OK')).toEqual([]);
    expect(linkDrops()).toBe(0);
  });

  it('answers of its own still match their request, though the edge no longer copies its headers (RFC 3261 §8.2.6.2)', async () => {
    const raw = fresh(fixture('deskphone-udp-register.sip'));
    const response = await exchangeUdp(raw, DENIED, stack.ports.sip);
    expect(response?.split('\r\n', 1)[0]).toBe('SIP/2.0 403 Forbidden');
    const header = (message: string, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(message)?.[1];
    for (const name of ['Call-ID', 'CSeq', 'From']) expect(header(response!, name), name).toBe(header(raw, name));
    expect(header(response!, 'To')).toMatch(new RegExp(`^${header(raw, 'To')!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};tag=\\S+$`));
    expect(header(response!, 'Via')).toContain(header(raw, 'Via')!.split(';')[0]!);
  });

  it('case 2: an OPTIONS scan (sipvicious svmap) from an unlisted source is refused and never reaches the PBX', async () => {
    const output = await new Promise<string>((resolve) => {
      execFile('svmap', ['-b', DENIED, '-p', String(stack.ports.sip), '127.0.0.1'], { timeout: 20_000 }, (_error, stdout, stderr) => resolve(stdout + stderr));
    });
    const raw = fresh(fixture('deskphone-udp-options.sip'));
    expect(await sendUdp(raw, DENIED, stack.ports.sip)).toBe('SIP/2.0 403 Forbidden');
    // A request proxied for 127.0.0.3 would carry its Via with received=127.0.0.3.
    expect(stack.uas.requests().flatMap((request) => request.vias).filter((via) => via.includes(DENIED))).toEqual([]);
    const scans = log.lines.filter((line) => line.event === 'sip_access' && line.method === 'OPTIONS' && line.source_ip === DENIED);
    expect(scans.length).toBeGreaterThanOrEqual(2);
    expect(new Set(scans.map((line) => line.result))).toEqual(new Set(['deny']));
    // svmap saw a SIP device (it was answered), but not the PBX behind it.
    expect(output).toContain('127.0.0.1');
    expect(output).not.toMatch(/sipp/i);
  });

  it('case 5: drachtio-server discards unknown methods and out-of-dialog REFERs itself, from any source, and nothing reaches the PBX', async () => {
    // controller.cpp (processMessageStatelessly): only the methods it hands to
    // applications, and CANCEL, BYE and UPDATE, get an answer out of dialog.
    const callIds: string[] = [];
    const stray = (method: string) => {
      const raw = withMethod(fresh(fixture('deskphone-udp-options.sip')), method);
      callIds.push(callIdOf(raw));
      return raw;
    };
    for (const from of [DENIED, ALLOWED]) {
      expect(await sendUdp(stray('FOOBAR'), from, stack.ports.sip, 1000), `FOOBAR from ${from}`).toBeUndefined();
      expect(await sendTcp(() => overTcp(stray('FOOBAR')), from, stack.ports.sip, 1000), `FOOBAR over tcp from ${from}`).toBeUndefined();
      expect(await sendUdp(stray('REFER'), from, stack.ports.sip, 1000), `REFER from ${from}`).toBeUndefined();
    }
    expect(await sendUdp(fresh(fixture('deskphone-udp-register.sip')), ALLOWED, stack.ports.sip)).toBe('SIP/2.0 200 OK');
    expect(callIds.flatMap(upstreamSaw)).toEqual([]);
    expect(linkDrops()).toBe(0);
  });

  it('case 5: a Request-URI user part up to what drachtio-server proxies whole is proxied; a longer one gets 414', async () => {
    // The destination is sip:<user>@127.0.0.1:<port>, at most 255 bytes (drachtio-command.ts).
    const longest = 255 - `sip:@127.0.0.1:${stack.uas.port}`.length;
    const outcomes: Record<number, string | undefined> = {};
    for (const length of [100, longest, longest + 1, 250, 1000]) {
      const raw = withRequestUser(fresh(fixture('deskphone-udp-options.sip')), 'u'.repeat(length));
      outcomes[length] = await sendUdp(raw, ALLOWED, stack.ports.sip);
      const expected = length <= longest ? ['OPTIONS'] : [];
      expect(upstreamSaw(callIdOf(raw)).map((request) => request.method), `${length} characters`).toEqual(expected);
    }
    expect(outcomes).toEqual({
      100: 'SIP/2.0 200 OK',
      [longest]: 'SIP/2.0 200 OK',
      [longest + 1]: 'SIP/2.0 414 Request-URI Too Long',
      250: 'SIP/2.0 414 Request-URI Too Long',
      1000: 'SIP/2.0 414 Request-URI Too Long',
    });
  });
});
