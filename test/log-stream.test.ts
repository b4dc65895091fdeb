/**
 * The main job's buffered log stream (src/log-stream.ts): lines wait for the
 * buffer or the flush interval, are all written at exit (a stop and a crash
 * alike), and past the limit are dropped and counted, not held.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { DROPPED_LINES_METRIC, LOG_FLUSH_MS, MAX_LOG_BUFFER_BYTES, countDroppedLines, openLogStream } from '../src/log-stream.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

function logFile(): { path: string; fd: number; lines: () => string[] } {
  const path = join(mkdtempSync(join(tmpdir(), 'sipwarden-log-')), 'log.jsonl');
  const fd = openSync(path, 'w');
  return { path, fd, lines: () => readFileSync(path, 'utf8').split('\n').filter((line) => line !== '') };
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Ends the stream once what it holds is written. */
function closed(stream: ReturnType<typeof openLogStream>): Promise<void> {
  return new Promise((resolve) => {
    stream.once('close', () => resolve());
    stream.end();
  });
}

/** Runs the main job's stream in a child process that logs `count` lines, then does `ending`; resolves with its standard output. */
async function child(ending: string, count = 3): Promise<string> {
  const code = [
    `import { pino } from 'pino';`,
    `import { openLogStream } from './src/log-stream.ts';`,
    `const logger = pino({ base: null }, openLogStream({ bufferBytes: 4096 }));`,
    `for (let i = 0; i < ${count}; i++) logger.info({ i }, 'line');`,
    ending,
  ].join('\n');
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT });
    return stdout;
  } catch (error) {
    return (error as { stdout: string }).stdout;
  }
}

describe('the log stream', () => {
  it('with no buffer, writes each line as it is made', () => {
    const file = logFile();
    pino(openLogStream({ fd: file.fd, bufferBytes: 0 })).info('now');
    expect(file.lines()).toHaveLength(1);
  });

  it('buffered, holds a few lines until the flush interval and then writes them all, in order', async () => {
    const file = logFile();
    const stream = openLogStream({ fd: file.fd, bufferBytes: 4096 });
    const logger = pino({ base: null }, stream);
    for (let i = 0; i < 3; i++) logger.info({ i }, 'line');
    expect(file.lines()).toEqual([]);
    await until('the flush', () => file.lines().length === 3, LOG_FLUSH_MS * 3);
    expect(file.lines().map((line) => (JSON.parse(line) as { i: number }).i)).toEqual([0, 1, 2]);
    await closed(stream);
  });

  it('buffered, writes once the buffer is full, without waiting for the interval', async () => {
    const file = logFile();
    const stream = openLogStream({ fd: file.fd, bufferBytes: 4096 });
    const logger = pino({ base: null }, stream);
    for (let i = 0; i < 100; i++) logger.info({ i, padding: 'x'.repeat(60) }, 'line');
    await until('a write', () => file.lines().length > 0, LOG_FLUSH_MS / 2);
    await closed(stream);
  });

  it('writes what it holds when the process exits, by process.exit or by an uncaught error', async () => {
    expect((await child('process.exit(0);')).trim().split('\n')).toHaveLength(3);
    expect((await child(`throw new Error('crash');`)).trim().split('\n')).toHaveLength(3);
  });

  it('past its limit drops lines and counts each, and keeps the rest whole', async () => {
    const file = logFile();
    const registry = new Registry();
    const stream = openLogStream({ fd: file.fd, bufferBytes: 1024, limitBytes: 8192 });
    countDroppedLines(stream, registry);
    const logger = pino({ base: null }, stream);
    // Logged in one go, no write can finish between the lines: the buffer fills and the rest is dropped.
    const total = 1000;
    for (let i = 0; i < total; i++) logger.info({ i, padding: 'x'.repeat(60) }, 'line');
    const dropped = (await registry.getSingleMetric(DROPPED_LINES_METRIC)!.get()).values[0]!.value;
    expect(dropped).toBeGreaterThan(total / 2);
    await until('the kept lines', () => file.lines().length === total - dropped, LOG_FLUSH_MS * 3);
    for (const line of file.lines()) expect(() => JSON.parse(line)).not.toThrow();
    await closed(stream);
  });

  it('takes its buffer size from SIPWARDEN_LOG_BUFFER_BYTES, up to the most the stream can be opened with', () => {
    const base = { DRACHTIO_SECRET: 'cymru', SIP_UPSTREAM: 'sip:pbx.internal:5060' };
    const size = (value?: string) => {
      const loaded = loadConfig(value === undefined ? base : { ...base, SIPWARDEN_LOG_BUFFER_BYTES: value });
      return loaded.ok ? loaded.config.logBufferBytes : loaded.errors.join('; ');
    };
    expect(size()).toBe(4096);
    expect(size('0')).toBe(0);
    expect(size(String(MAX_LOG_BUFFER_BYTES))).toBe(MAX_LOG_BUFFER_BYTES);
    expect(size('20000')).toMatch(/SIPWARDEN_LOG_BUFFER_BYTES/);
    expect(size('4k')).toMatch(/SIPWARDEN_LOG_BUFFER_BYTES/);
    // The largest accepted size opens.
    openLogStream({ fd: logFile().fd, bufferBytes: MAX_LOG_BUFFER_BYTES }).destroy();
  });
});
