/**
 * The kernel sink's per-source rate limit end to end (issue 14): the main
 * job with SIPWARDEN_BAN_SINK=nftables and a low SIPWARDEN_NFT_SOURCE_RATE
 * on a real drachtio-server, sipp flooding denied REGISTERs from 127.0.0.3
 * at twenty times that rate while sipp registers from the allowed address.
 * Before its ban lands the edge sees the flooder at about the limited rate,
 * not at the rate it floods; the allowed source's REGISTERs all succeed.
 * Skipped where nft is missing or not permitted (global-setup.ts says so once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFlood } from '../../bench/lib/flood-load.js';
import { capturedLog } from '../sip/harness.js';
import { freePort } from '../support/net.js';
import { deleteTable, nftUnusable, uniqueTable } from '../support/nftables.js';
import { findDrachtio } from './drachtio-server.js';
import { allowedRegisters as allowedRegistersOf, bannedInKernel, startKernelStack } from './kernel-stack.js';
import { type InboundStack, stopStack } from './main-job.js';

const binary = findDrachtio();
const FLOODER = '127.0.0.3';
const RATE = 100;
const BURST = 100;
const FLOOD_RATE = 2000;
const FLOOD_S = 3;
/** Reached at the limited rate only after about (THRESHOLD - BURST) / RATE = 2 s of flood; at the flood's rate it would take 0.15 s. */
const THRESHOLD = 300;

describe.skipIf(binary === undefined || nftUnusable() !== undefined)('kernel per-source rate limit at the SIP edge', () => {
  const log = capturedLog();
  const table = uniqueTable('e2emeter');
  let stack: InboundStack;

  /** Requests from the flooder the edge has seen: denied by the lists, shed by its rate limit on denials, or answered 403 as banned. */
  const seenFromFlooder = async () => {
    const text = await (await fetch(`http://127.0.0.1:${stack.edge.httpPort}/metrics`)).text();
    const samples = text.split('\n').filter((line) => (line.startsWith('sipwarden_sip_access_decisions_total{') && line.includes('result="deny"')) || line.startsWith('sipwarden_sip_banned_total ') || line.startsWith('sipwarden_sip_rate_limited_total{'));
    return samples.reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  };
  const inKernel = () => bannedInKernel(table, FLOODER);
  const allowedRegisters = () => allowedRegistersOf(stack);

  beforeAll(async () => {
    stack = await startKernelStack(binary!, log.logger, table, THRESHOLD, { SIPWARDEN_NFT_SOURCE_RATE: String(RATE), SIPWARDEN_NFT_SOURCE_BURST: String(BURST) });
  });

  afterAll(async () => {
    if (stack !== undefined) await stopStack(stack);
    deleteTable(table);
  });

  it('clamps a flooder to the limited rate in the kernel before its ban, while the allowed source registers', async () => {
    expect(await allowedRegisters()).toBe(200);
    const before = await seenFromFlooder();
    const started = Date.now();
    const flood = startFlood({ from: FLOODER, port: await freePort(FLOODER), to: stack.ports.sip, domain: 'acme.example', user: 'scanner', rate: FLOOD_RATE, seconds: FLOOD_S, answerTimeoutMs: 500 });
    const allowed: Array<number | undefined> = [];
    let atOneSecond: number | undefined;
    let bannedAfterMs: number | undefined;
    while (Date.now() - started < FLOOD_S * 1000) {
      allowed.push(await allowedRegisters());
      if (atOneSecond === undefined && Date.now() - started >= 1000) atOneSecond = (await seenFromFlooder()) - before;
      if (bannedAfterMs === undefined && inKernel()) bannedAfterMs = Date.now() - started;
    }
    const run = await flood.done;
    const seen = (await seenFromFlooder()) - before;

    expect(run.total?.created).toBeGreaterThan(FLOOD_RATE * FLOOD_S * 0.9);
    expect(allowed.length).toBeGreaterThan(2);
    expect(allowed.every((status) => status === 200)).toBe(true);
    // The ban came, from what got through the meter alone...
    expect(inKernel()).toBe(true);
    expect(bannedAfterMs ?? Number.POSITIVE_INFINITY).toBeGreaterThan(1000);
    expect(seen).toBeGreaterThanOrEqual(THRESHOLD);
    // ...which was about rate x time + burst, not the 2,000/s offered.
    expect(atOneSecond).toBeLessThanOrEqual((RATE + BURST) * 1.3);
    expect(seen).toBeLessThanOrEqual((RATE * FLOOD_S + BURST) * 1.2);
  });
});
