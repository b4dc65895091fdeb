/**
 * The per-source rate limit on denials, end to end (issue 14): the main job
 * on a real drachtio-server, lists in a real redis-server. A source denied
 * more than SIPWARDEN_SOURCE_RATE_LIMIT times in a second has its further
 * requests that second shed before any decision: answered 403 (reject) or
 * not at all (drop); a source another tenant allows and the allowed client
 * are never limited.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fixture } from '../sip/drachtio-message.js';
import { capturedLog } from '../sip/harness.js';
import { findDrachtio } from './drachtio-server.js';
import { ALLOWED, type InboundStack, startInboundStack, stopStack } from './main-job.js';
import { fresh, sendUdp } from './sip-clients.js';

const binary = findDrachtio();
const REGISTER = fixture('deskphone-udp-register.sip');
const FLOODER = '127.0.0.3';
const OTHERS_PHONE = '127.0.0.4';
const LIMIT = 20;

describe.skipIf(binary === undefined)('the per-source rate limit on denials', () => {
  const stacks: InboundStack[] = [];
  afterAll(async () => {
    for (const stack of stacks) await stopStack(stack);
  });

  async function started(action: 'reject' | 'drop') {
    const log = capturedLog();
    const stack = await startInboundStack(binary!, { '{acme}:sip': ALLOWED, '{other}:webrtc': OTHERS_PHONE }, { 'acme.example': 'acme' }, log.logger, {
      SIPWARDEN_SOURCE_RATE_LIMIT: String(LIMIT),
      SIPWARDEN_SOURCE_RATE_ACTION: action,
    });
    stacks.push(stack);
    const burst = (from: string, times: number) => Promise.all(Array.from({ length: times }, () => sendUdp(fresh(REGISTER), from, stack.ports.sip, 1000)));
    const decided = (from: string) => log.lines.filter((l) => l.event === 'sip_access' && l.source_ip === from).length;
    const limited = async () => Number(/^sipwarden_sip_rate_limited_total\{action="\w+"\} (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${stack.edge.httpPort}/metrics`)).text())?.[1] ?? 0);
    return { burst, decided, limited };
  }

  it('answers a flooding source 403 without deciding past its rate, and leaves the allowed client and a source another tenant allows alone', async () => {
    const { burst, decided, limited } = await started('reject');
    // One burst after the other: 300 datagrams at once overflow drachtio-server's socket buffer.
    const others = await burst(OTHERS_PHONE, 150);
    const [flood, allowed] = await Promise.all([burst(FLOODER, 150), burst(ALLOWED, 10)]);
    expect(flood.every((answer) => answer === 'SIP/2.0 403 Forbidden')).toBe(true);
    expect(allowed.every((answer) => answer === 'SIP/2.0 200 OK')).toBe(true);
    expect(others.every((answer) => answer === 'SIP/2.0 403 Forbidden')).toBe(true);
    // The burst may straddle a second: at most two seconds' worth decided.
    expect(decided(FLOODER)).toBeLessThanOrEqual(2 * (LIMIT + 1));
    expect(await limited()).toBe(150 - decided(FLOODER));
    expect(decided(OTHERS_PHONE)).toBe(150);
  });

  it('drops the flooding source unanswered with the drop action', async () => {
    const { burst, decided, limited } = await started('drop');
    const flood = await burst(FLOODER, 100);
    const unanswered = flood.filter((answer) => answer === undefined).length;
    expect(unanswered).toBe(100 - decided(FLOODER));
    expect(unanswered).toBeGreaterThan(50);
    expect(await limited()).toBe(unanswered);
  });
});
