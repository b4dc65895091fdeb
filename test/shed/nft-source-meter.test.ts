/**
 * The kernel sink's per-source rate limit against the real kernel: a table
 * of its own (a unique name per run, deleted after), bursts of real
 * datagrams from loopback addresses to a real socket, counted by source.
 * Skipped where nft is missing or not permitted.
 */
import { createSocket } from 'node:dgram';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NftablesBanSink } from '../../src/shed/nftables-ban-sink.js';
import { deleteTable, nft, nftUnusable, uniqueTable } from '../support/nftables.js';
import { freePort } from '../support/net.js';
import { type UdpReceiver, receiver } from '../support/udp-receiver.js';

const RATE = 100;
const BURST = 200;
const FLOODER = '127.0.0.3';
const BYSTANDER = '127.0.0.2';
const ALLOWED = '127.0.0.5';
/** Inside the never-ban block 127.0.0.8/29. */
const NEVER_BANNED = '127.0.0.9';
const BURST_SIZE = 2000;
const logger = pino({ level: 'silent' });

describe.skipIf(nftUnusable() !== undefined)('kernel sink per-source rate limit (nftables meter)', () => {
  const table = uniqueTable('meter');
  const registry = new Registry();
  let port: number;
  let v4: UdpReceiver;
  let v6: UdpReceiver;
  let sink: NftablesBanSink;

  const start = async () => {
    const meter = { rate: RATE, burst: BURST, exempt: [{ family: 4 as const, text: '127.0.0.8/29' }] };
    const started = await NftablesBanSink.start({ table, ports: [{ protocol: 'udp', port }], leaseMs: 60_000, meter, logger, registry });
    if (!started.ok) throw new Error(started.message);
    return started.sink;
  };

  /**
   * Sends `count` datagrams from `from` as fast as the loop allows, in
   * chunks so the receiving socket (same process) drains between them; then
   * waits for stragglers and says how many `at` heard from `from`.
   */
  const flood = async (from: string, count = BURST_SIZE, at?: UdpReceiver): Promise<number> => {
    const six = from.includes(':');
    const target = at ?? (six ? v6 : v4);
    const before = target.countFrom(from);
    const socket = createSocket(six ? 'udp6' : 'udp4');
    await new Promise<void>((resolve) => socket.bind(0, from, resolve));
    for (let sent = 0; sent < count; sent += 50) {
      await Promise.all(Array.from({ length: Math.min(50, count - sent) }, () => new Promise<void>((resolve) => socket.send('x', port, six ? '::1' : '127.0.0.1', () => resolve()))));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.close();
    return target.countFrom(from) - before;
  };
  const metric = async (name: string, labels = '') => Number(new RegExp(`^${name}${labels === '' ? '(?:\\{[^}]*\\})?' : `\\{${labels}\\}`} (\\S+)$`, 'm').exec(await registry.metrics())?.[1] ?? 0);
  const rules = () => nft(['list', 'chain', 'inet', table, 'input']).split('\n').filter((line) => line.includes('dport'));

  beforeAll(async () => {
    port = await freePort();
    v4 = await receiver('udp4', '127.0.0.1', port);
    v6 = await receiver('udp6', '::1', port);
    sink = await start();
  });

  afterAll(() => {
    v4?.socket.close();
    v6?.socket.close();
    deleteTable(table);
  });

  it('lets a source send about rate + burst within a second and drops the rest, while another source is unaffected', async () => {
    const [flooded, bystander] = await Promise.all([flood(FLOODER), flood(BYSTANDER, 50)]);
    expect(flooded).toBeGreaterThanOrEqual(BURST);
    expect(flooded).toBeLessThanOrEqual((RATE + BURST) * 1.1);
    expect(bystander).toBe(50);
    // The rule's counter, read at the next reconcile.
    sink.mirror(new Map());
    await sink.settled();
    expect(await metric('sipwarden_ban_sink_meter_dropped_packets')).toBeGreaterThanOrEqual(BURST_SIZE - flooded);
  });

  it('meters IPv6 sources through the ip6 rule', async () => {
    const flooded = await flood('::1');
    expect(flooded).toBeGreaterThanOrEqual(BURST);
    expect(flooded).toBeLessThanOrEqual((RATE + BURST) * 1.1);
  });

  it('never meters a source the edge allowed, nor one in the never-ban list', async () => {
    sink.allowed(ALLOWED);
    // Already queued: no second element, no second run.
    sink.allowed(ALLOWED);
    await sink.settled();
    expect(await metric('sipwarden_ban_sink_seen_added_total')).toBe(1);
    expect(nft(['list', 'set', 'inet', table, 'seen4'])).toMatch(/127\.0\.0\.5 timeout 1h/);
    expect(await flood(ALLOWED)).toBe(BURST_SIZE);
    expect(await flood(NEVER_BANNED)).toBe(BURST_SIZE);
  });

  it('puts back the exempt sets flushed by hand at the next reconcile', async () => {
    nft(['flush', 'set', 'inet', table, 'exempt4']);
    sink.mirror(new Map());
    await sink.settled();
    expect(nft(['list', 'set', 'inet', table, 'exempt4'])).toContain('127.0.0.8/29');
  });

  it('gives the seen sources back when the table is put back whole', async () => {
    nft(['delete', 'table', 'inet', table]);
    sink.mirror(new Map());
    await sink.settled();
    expect(nft(['list', 'set', 'inet', table, 'seen4'])).toContain('127.0.0.5');
    expect(nft(['list', 'set', 'inet', table, 'exempt4'])).toContain('127.0.0.8/29');
  });

  it('counts a failed seen write, and writes the source when it is allowed again', async () => {
    const errors = await metric('sipwarden_ban_sink_errors_total', 'operation="seen"');
    nft(['delete', 'table', 'inet', table]);
    sink.allowed('127.0.0.6');
    await sink.settled();
    expect(await metric('sipwarden_ban_sink_errors_total', 'operation="seen"')).toBe(errors + 1);
    sink.mirror(new Map());
    await sink.settled();
    sink.allowed('127.0.0.6');
    await sink.settled();
    expect(nft(['list', 'set', 'inet', table, 'seen4'])).toContain('127.0.0.6');
  });

  it('replaces its table on a restart without duplicating a rule', async () => {
    expect(rules()).toHaveLength(4);
    sink = await start();
    const after = rules();
    expect(after).toHaveLength(4);
    expect(after.filter((rule) => rule.includes('limit rate over 100/second burst 200 packets'))).toHaveLength(2);
    await sink.close();
    expect(() => nft(['list', 'table', 'inet', table])).toThrow(/No such file or directory/);
  });
});
