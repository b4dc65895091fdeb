/**
 * The kernel ban sink end to end (issue 14): the main job with
 * SIPWARDEN_BAN_SINK=nftables on a real drachtio-server, its bans in a real
 * redis-server, sipp registering from the allowed address. A flooding source
 * crosses the threshold and is banned; from then on its requests get no
 * answer at all (the kernel drops them on drachtio-server's port, taken from
 * the listeners drachtio-server announced) and the edge sees none of them,
 * while the allowed source keeps registering; lifting the ban, as `sipwarden
 * unban` does, brings back the edge's 403s. The per-source rate limit is on
 * with its defaults (kernel-meter.test.ts tries it). Skipped where nft is missing or
 * not permitted (global-setup.ts says so once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBanList } from '../../src/store/ban-list.js';
import { KeySchema } from '../../src/store/keys.js';
import { createRedisClient } from '../../src/store/redis-connection.js';
import { fixture } from '../sip/drachtio-message.js';
import { capturedLog } from '../sip/harness.js';
import { until } from '../support/net.js';
import { deleteTable, nft, nftUnusable, uniqueTable } from '../support/nftables.js';
import { findDrachtio } from './drachtio-server.js';
import { allowedRegisters as allowedRegistersOf, bannedInKernel, startKernelStack } from './kernel-stack.js';
import { ALLOWED, type InboundStack, stopStack } from './main-job.js';
import { fresh, sendUdp } from './sip-clients.js';

const binary = findDrachtio();
const REGISTER = fixture('deskphone-udp-register.sip');
const FLOODER = '127.0.0.3';
const THRESHOLD = 30;

describe.skipIf(binary === undefined || nftUnusable() !== undefined)('kernel ban sink at the SIP edge', () => {
  const log = capturedLog();
  const table = uniqueTable('e2e');
  let stack: InboundStack;

  const register = (from: string, timeoutMs = 1000) => sendUdp(fresh(REGISTER), from, stack.ports.sip, timeoutMs);
  const knock = (from: string, times: number, timeoutMs = 1000) => Promise.all(Array.from({ length: times }, () => register(from, timeoutMs)));
  const metric = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`http://127.0.0.1:${stack.edge.httpPort}/metrics`)).text())?.[1] ?? 0);
  const inKernel = (address: string) => bannedInKernel(table, address);
  const decisionsFrom = (address: string) => log.lines.filter((l) => l.event === 'sip_access' && l.source_ip === address).length;
  const allowedRegisters = () => allowedRegistersOf(stack);

  beforeAll(async () => {
    stack = await startKernelStack(binary!, log.logger, table, THRESHOLD);
  });

  afterAll(async () => {
    if (stack !== undefined) await stopStack(stack);
    deleteTable(table);
  });

  it("guards drachtio-server's SIP ports as it announced them", () => {
    const chain = nft(['list', 'chain', 'inet', table, 'input']);
    expect(chain).toContain(`udp dport ${stack.ports.sip} ip saddr @banned4 drop`);
    expect(chain).toMatch(new RegExp(`tcp dport \\{ (${stack.ports.sip}, ${stack.ports.ws}|${stack.ports.ws}, ${stack.ports.sip}) \\} ip6 saddr @banned6 drop`));
    // The per-source rate limit with its defaults, on UDP alone.
    expect(chain).toContain(`udp dport ${stack.ports.sip} ip saddr != @exempt4 ip saddr != @seen4 update @meter4 { ip saddr limit rate over 200/second burst 50 packets } counter`);
    expect(chain).not.toMatch(/tcp dport .* update @meter/);
  });

  it('drops a banned flooder in the kernel: no answer, nothing reaches the edge, while the allowed source registers', async () => {
    const answers = await knock(FLOODER, THRESHOLD + 5);
    // The last of the burst may already meet the kernel's drop.
    expect(answers.filter((answer) => answer === 'SIP/2.0 403 Forbidden').length).toBeGreaterThan(THRESHOLD);
    expect(answers.every((answer) => answer === 'SIP/2.0 403 Forbidden' || answer === undefined)).toBe(true);
    await until(() => inKernel(FLOODER), 2000, 'the ban in the kernel');
    // Written to the kernel at once, logged once Redis has it.
    await until(() => log.lines.some((l) => l.event === 'sip_ban' && l.address === FLOODER), 2000, 'the ban logged');

    const [banned, decided] = [await metric('sipwarden_sip_banned_total'), decisionsFrom(FLOODER)];
    const [flood, allowed] = await Promise.all([knock(FLOODER, 40, 700), allowedRegisters()]);
    expect(flood.filter((answer) => answer !== undefined)).toEqual([]);
    expect(allowed).toBe(200);
    // The allowed source is exempt from the kernel's rate limit from then on.
    await until(() => nft(['list', 'set', 'inet', table, 'seen4']).includes(` ${ALLOWED} `), 2000, 'the allowed source in the seen set');
    expect(await metric('sipwarden_sip_banned_total')).toBe(banned);
    expect(decisionsFrom(FLOODER)).toBe(decided);
    expect(await metric('sipwarden_ban_sink_elements')).toBe(1);
    expect(await metric('sipwarden_ban_sink_errors_total')).toBe(0);
  });

  it('takes the ban out of the kernel when it is lifted, as `sipwarden unban` does: the edge answers 403 again', async () => {
    const admin = createRedisClient({ url: stack.redis.url, commandTimeoutMs: 2000 });
    await admin.connect();
    try {
      expect(await new RedisBanList(admin, new KeySchema()).lift(Date.now(), [FLOODER])).toEqual([FLOODER]);
    } finally {
      admin.disconnect();
    }
    const took = await until(async () => (await register(FLOODER, 300)) === 'SIP/2.0 403 Forbidden', 3000, 'the 403s back');
    expect(took).toBeLessThan(1500);
    expect(inKernel(FLOODER)).toBe(false);
    expect(await allowedRegisters()).toBe(200);
  });

  it('removes its table when the edge stops', async () => {
    await stack.edge.close();
    expect(() => nft(['list', 'table', 'inet', table])).toThrow(/No such file or directory/);
    stack = { ...stack, edge: { ...stack.edge, close: async () => undefined } };
  });
});
