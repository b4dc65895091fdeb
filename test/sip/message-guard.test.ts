import { EventEmitter } from 'node:events';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MessageGuard, SKIPPED_MESSAGES_METRIC } from '../../src/sip/message-guard.js';
import { capturedLog } from './harness.js';

describe('message guard', () => {
  it('turns a message handler that throws into a logged, counted skip, and leaves the others alone', async () => {
    const log = capturedLog();
    const registry = new Registry();
    const wp = new EventEmitter();
    const handled: string[] = [];
    wp.on('msg', (_socket: unknown, message: string) => {
      if (message === 'garbled') throw new Error('failed to parse sip message');
      handled.push(message);
    });
    const guard = new MessageGuard(log.logger, registry);
    guard.protect({ wp });
    guard.protect({ wp });
    expect(wp.listenerCount('msg')).toBe(1);
    expect(() => wp.emit('msg', undefined, 'garbled')).not.toThrow();
    wp.emit('msg', undefined, 'after');
    expect(handled).toEqual(['after']);
    expect(log.lines.map((line) => line.msg)).toEqual(['drachtio-srf could not handle a message from drachtio-server; skipped it']);
    expect(JSON.stringify(log.lines)).not.toContain('garbled');
    expect(await registry.getSingleMetricAsString(SKIPPED_MESSAGES_METRIC)).toMatch(/ 1$/m);
  });

  it('says when drachtio-srf has no wire protocol where it is expected', () => {
    const log = capturedLog();
    new MessageGuard(log.logger, new Registry()).protect(undefined);
    expect(log.lines[0]).toMatchObject({ level: 50 });
  });
});
