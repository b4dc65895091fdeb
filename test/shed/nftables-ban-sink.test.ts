/**
 * The kernel ban sink against the real kernel: a table of its own (a unique
 * name per run, deleted after), real datagrams from loopback addresses to a
 * real socket. Skipped where nft is missing or not permitted.
 */
import { createSocket } from 'node:dgram';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NftablesBanSink } from '../../src/shed/nftables-ban-sink.js';
import { deleteTable, nft, nftUnusable, uniqueTable } from '../support/nftables.js';
import { freePort } from '../support/net.js';
import { type UdpReceiver, receiver } from '../support/udp-receiver.js';

const BANNED = '127.0.0.3';
const ALLOWED = '127.0.0.2';
const MINUTE = 60_000;
const logger = pino({ level: 'silent' });

describe.skipIf(nftUnusable() !== undefined)('kernel ban sink (nftables)', () => {
  const table = uniqueTable('sink');
  const other = uniqueTable('other');
  const registry = new Registry();
  let port: number;
  let v4: UdpReceiver;
  let v6: UdpReceiver;
  let sink: NftablesBanSink;
  let sent = 0;

  /** True when a datagram from `from` to `to` reached `at` within 300 ms. */
  const arrives = async (from: string, to = port, at?: UdpReceiver): Promise<boolean> => {
    const six = from.includes(':');
    const payload = `probe-${++sent}`;
    const socket = createSocket(six ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, from, resolve));
    await new Promise<void>((resolve) => socket.send(payload, to, six ? '::1' : '127.0.0.1', () => resolve()));
    const heard = (at ?? (six ? v6 : v4)).heard;
    for (let waited = 0; waited < 300 && !heard(payload); waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    socket.close();
    return heard(payload);
  };
  const metric = async (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(await registry.metrics())?.[1] ?? 0);
  const start = async (options: Partial<Parameters<typeof NftablesBanSink.start>[0]> = {}) => {
    const started = await NftablesBanSink.start({ table, ports: [{ protocol: 'udp', port }], leaseMs: MINUTE, logger, registry, ...options });
    if (!started.ok) throw new Error(started.message);
    return started.sink;
  };
  const listed = () => JSON.parse(nft(['-j', 'list', 'table', 'inet', table])) as { nftables: Array<Record<string, { chain?: string; elem?: unknown[]; name?: string }>> };

  beforeAll(async () => {
    port = await freePort();
    v4 = await receiver('udp4', '127.0.0.1', port);
    v6 = await receiver('udp6', '::1', port);
    nft(['-f', '-'], `table inet ${other} {\n  set keep { type ipv4_addr; elements = { 192.0.2.1 } }\n}\n`);
    sink = await start();
  });

  afterAll(() => {
    v4?.socket.close();
    v6?.socket.close();
    deleteTable(table);
    deleteTable(other);
  });

  it('drops a banned source at once while others get through, and lets it through again when the ban is lifted', async () => {
    expect(await arrives(BANNED)).toBe(true);
    sink.banned(BANNED, Date.now() + MINUTE);
    await sink.settled();
    expect(await arrives(BANNED)).toBe(false);
    expect(await arrives(ALLOWED)).toBe(true);
    expect(await metric('sipwarden_ban_sink_elements')).toBe(1);
    sink.mirror(new Map());
    await sink.settled();
    expect(await arrives(BANNED)).toBe(true);
    expect(await metric('sipwarden_ban_sink_elements')).toBe(0);
  });

  it('drops a banned IPv6 source through the ip6 rule', async () => {
    expect(await arrives('::1')).toBe(true);
    sink.mirror(new Map([['::1', Date.now() + MINUTE]]));
    await sink.settled();
    expect(await arrives('::1')).toBe(false);
    sink.mirror(new Map());
    await sink.settled();
    expect(await arrives('::1')).toBe(true);
  });

  it('gives each element the time its ban has left: the kernel lifts it itself', async () => {
    sink.banned(BANNED, Date.now() + 1500);
    await sink.settled();
    expect(await arrives(BANNED)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect(await arrives(BANNED)).toBe(true);
  });

  it('puts back what was flushed by hand at the next reconcile: the set, or the whole table', async () => {
    const bans = new Map([[BANNED, Date.now() + MINUTE]]);
    sink.mirror(bans);
    await sink.settled();
    nft(['flush', 'set', 'inet', table, 'banned4']);
    expect(await arrives(BANNED)).toBe(true);
    sink.mirror(bans);
    await sink.settled();
    expect(await arrives(BANNED)).toBe(false);
    nft(['flush', 'table', 'inet', table]);
    expect(await arrives(BANNED)).toBe(true);
    sink.mirror(bans);
    await sink.settled();
    expect(await arrives(BANNED)).toBe(false);
    nft(['delete', 'table', 'inet', table]);
    sink.mirror(bans);
    await sink.settled();
    expect(await arrives(BANNED)).toBe(false);
    sink.mirror(new Map());
    await sink.settled();
  });

  it('replaces its table on a restart, never duplicating a rule, and touches no other table', async () => {
    sink.mirror(new Map([[BANNED, Date.now() + MINUTE]]));
    await sink.settled();
    sink = await start();
    const items = listed().nftables;
    // Started without a meter (SIPWARDEN_NFT_SOURCE_RATE=0): the ban rules alone, none of the meter's sets.
    expect(items.filter((item) => item.rule !== undefined)).toHaveLength(2);
    expect(items.filter((item) => item.set !== undefined).map((item) => item.set!.name)).toEqual(['banned4', 'banned6']);
    expect(items.filter((item) => item.set !== undefined).map((item) => item.set!.elem)).toEqual([undefined, undefined]);
    expect(nft(['list', 'table', 'inet', other])).toContain('192.0.2.1');
  });

  it('guards the ports of the listeners drachtio-server announces, keeping the elements', async () => {
    const later = await freePort();
    const extra = await receiver('udp4', '127.0.0.1', later);
    try {
      sink.mirror(new Map([[BANNED, Date.now() + MINUTE]]));
      sink.guard([{ transport: 'udp', host: '127.0.0.1', port: later }, { transport: 'ws', host: '127.0.0.1', port: later }]);
      await sink.settled();
      expect(await arrives(BANNED, later, extra)).toBe(false);
      expect(await arrives(ALLOWED, later, extra)).toBe(true);
      expect(await arrives(BANNED)).toBe(false);
      expect(nft(['list', 'chain', 'inet', table, 'input'])).toContain(`tcp dport ${later} ip saddr @banned4 drop`);
    } finally {
      extra.socket.close();
      sink.mirror(new Map());
      await sink.settled();
    }
  });

  it('counts and logs a failed nft run and goes on: the next reconcile catches up', async () => {
    const errors = await metric('sipwarden_ban_sink_errors_total');
    nft(['delete', 'table', 'inet', table]);
    sink.banned(BANNED, Date.now() + MINUTE);
    await sink.settled();
    expect(await metric('sipwarden_ban_sink_errors_total')).toBe(errors + 1);
    sink.mirror(new Map([[BANNED, Date.now() + MINUTE]]));
    await sink.settled();
    expect(await arrives(BANNED)).toBe(false);
  });

  it('will not start without a working nft, and says which problem it is', async () => {
    const missing = await NftablesBanSink.start({ table: uniqueTable('x'), ports: [], leaseMs: MINUTE, logger, registry, binary: '/nonexistent/nft' });
    expect(missing).toEqual({ ok: false, message: expect.stringMatching(/^\/nonexistent\/nft not found: install nftables .*SIPWARDEN_BAN_SINK=edge/) });
    const refusing = await NftablesBanSink.start({ table: uniqueTable('x'), ports: [], leaseMs: MINUTE, logger, registry, binary: 'false' });
    expect(refusing).toEqual({ ok: false, message: expect.stringContaining("false refused sipwarden's table") });
  });

  it('removes its table on close', async () => {
    await sink.close();
    expect(() => nft(['list', 'table', 'inet', table])).toThrow(/No such file or directory/);
    expect(await arrives(BANNED)).toBe(true);
  });
});
