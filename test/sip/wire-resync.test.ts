/**
 * A damaged stream from drachtio-server (issue 14's floods): a frame whose
 * length is shorter than its message, as bench:flood caught drachtio-server
 * sending. drachtio-srf's own reader, on a real TCP connection, used to throw
 * from its data handler on the bytes after it (the edge process died); with
 * the guard it drops them, goes on with the next whole frame, and the
 * message guard logs and counts the resync.
 */
import { randomUUID } from 'node:crypto';
import { type Server, type Socket, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageGuard, RESYNCS_METRIC } from '../../src/sip/message-guard.js';
import fc from 'fast-check';
import { bytesBeforeNextFrame, damagedAt } from '../../src/sip/wire-resync.js';
import { capturedLog } from './harness.js';

const require = createRequire(import.meta.url);
const WireProtocol = require('drachtio-srf/lib/wire-protocol.js') as new (opts: object) => EventEmitter & { connect(opts: object): void; disconnect(socket: unknown): void };

const frame = (body: string) => {
  const text = `${randomUUID()}|${body}`;
  return `${Buffer.byteLength(text)}#${text}`;
};

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A TCP server that writes `stream` to the first client, in pieces of `piece` bytes. */
async function serving(stream: string, piece: number): Promise<number> {
  const server = createServer((socket: Socket) => {
    const bytes = Buffer.from(stream);
    let at = 0;
    const next = () => {
      if (at >= bytes.length) return;
      socket.write(bytes.subarray(at, at + piece), () => setImmediate(next));
      at += piece;
    };
    next();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('resynchronising the stream from drachtio-server', () => {
  it('drops a damaged frame and its spill, and delivers every whole frame after it, however the bytes arrive', async () => {
    const log = capturedLog();
    const registry = new Registry();
    const guard = new MessageGuard(log.logger, registry);
    const whole = ['sip|network|first', 'sip|network|second', 'sip|network|third'];
    const damaged = frame('sip|network|REGISTER sip:acme.example SIP/2.0\r\nCSeq: 1 REGISTER\r\nContact: <sip:x@127.0.0.3>\r\n\r\n');
    // The length says 40 bytes fewer than the message has: its tail spills into where the next frame should start.
    const [length, rest] = [Number(damaged.slice(0, damaged.indexOf('#'))), damaged.slice(damaged.indexOf('#'))];
    const cut = `${length - 40}${rest}`;
    const stream = frame(whole[0]!) + cut + frame(whole[1]!) + frame(whole[2]!);
    for (const piece of [stream.length, 7, 1]) {
      const port = await serving(stream, piece);
      const wire = new WireProtocol({});
      const agent = { wp: wire };
      const seen: string[] = [];
      wire.on('msg', (_socket: unknown, message: string) => seen.push(message.slice(message.indexOf('|') + 1)));
      wire.connect({ host: '127.0.0.1', port });
      guard.protect(agent);
      await expect.poll(() => seen.filter((m) => whole.includes(m)), { timeout: 3000 }).toEqual(whole);
      expect(seen).toHaveLength(4);
      wire.removeAllListeners();
    }
    expect(log.lines.filter((l) => l.msg === 'the stream from drachtio-server held a damaged frame; resynchronised on the next whole one')).toHaveLength(3);
    expect(await registry.getSingleMetric(RESYNCS_METRIC)?.get()).toMatchObject({ values: [{ value: 3 }] });
  });

  it('finds the next frame start past garbage, digits glued to it included, and keeps a tail when there is none yet', () => {
    const next = frame('sip|x');
    expect(bytesBeforeNextFrame(Buffer.from(`ntact: <sip:a>\r\n\r\n${next}`))).toEqual({ skip: 18, found: true });
    // Digits right before the length belong to the garbage: the frame starts where its own length does.
    expect(bytesBeforeNextFrame(Buffer.from(`Length: 10\r\n${next}`))).toEqual({ skip: 12, found: true });
    expect(bytesBeforeNextFrame(Buffer.from('x'.repeat(500)))).toEqual({ skip: 500 - 64, found: false });
    expect(bytesBeforeNextFrame(Buffer.from('garbage'))).toEqual({ skip: 1, found: false });
  });

  it('judges a frame start byte by byte as the regular expressions of the frame format do', () => {
    // The reference: a length of 1-10 digits, at least an id long, then `#`, then a UUID and `|` once that many bytes are in.
    const reference = (buffer: Buffer, hash: number): boolean => {
      if (hash < 0) return buffer.length > 11 || !/^\d*$/.test(buffer.toString('latin1'));
      const length = buffer.toString('latin1', 0, hash);
      if (!/^\d{1,10}$/.test(length) || Number(length) < 37) return true;
      const id = hash + 1;
      return buffer.length >= id + 37 && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\|/i.test(buffer.toString('latin1', id, id + 37));
    };
    const id = fc.uuid().map((uuid) => `${uuid}|`);
    const damagedId = fc.tuple(fc.uuid(), fc.nat(36), fc.constantFrom('g', 'G', '-', '|', '0', 'A', ' ', '\u00e9')).map(([uuid, at, c]) => `${(uuid + '|').slice(0, at)}${c}${(uuid + '|').slice(at + 1)}`);
    const length = fc.oneof(fc.nat(2_000_000).map(String), fc.stringMatching(/^[0-9]{0,12}$/), fc.constantFrom('', '36', '37', '0037', ' 40', '4O', '1234567890', '12345678901'));
    const front = fc.tuple(length, fc.constantFrom('#', ''), fc.oneof(id, damagedId, fc.string({ maxLength: 40 })), fc.nat(60)).map(([l, h, body, cut]) => Buffer.from(`${l}${h}${body}sip|network|REGISTER`).subarray(0, cut === 0 ? undefined : cut));
    fc.assert(
      fc.property(fc.oneof(front, fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes))), (buffer) => {
        const hash = buffer.indexOf(0x23);
        expect(damagedAt(buffer, hash)).toBe(reference(buffer, hash));
      }),
      { numRuns: 5000 },
    );
  });
});
