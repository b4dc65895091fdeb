/**
 * What Redis executed while something ran, from INFO deltas on a server of
 * our own (CONFIG RESETSTAT first): calls per command, and bytes in and out.
 * Redis counts the commands a Lua script calls too: an EVALSHA whose script
 * makes three GETs shows as one evalsha and three get. The counting client's
 * own INFO and CONFIG are left out of the calls; the bytes include its INFO
 * request (a few dozen bytes), not its replies.
 */
import type { Redis } from 'ioredis';

export interface CommandCounts {
  /** Calls by command name, lower case as INFO names them (`evalsha`, `config|get`). */
  readonly calls: ReadonlyMap<string, number>;
  /** Microseconds Redis spent in each command; a script's includes the calls it made, which count on their own too. */
  readonly usec: ReadonlyMap<string, number>;
  /** Every call, script-internal ones included. */
  readonly total: number;
  /** Bytes Redis read from its clients. */
  readonly inputBytes: number;
  /** Bytes Redis wrote to its clients. */
  readonly outputBytes: number;
}

interface Sample {
  readonly calls: Map<string, number>;
  readonly usec: Map<string, number>;
  readonly input: number;
  readonly output: number;
}

const OWN_COMMANDS = /^(info|config)(\||$)/;

async function sample(stats: Redis): Promise<{ sample: Sample; replyBytes: number }> {
  const text = await stats.info('stats', 'commandstats');
  const calls = new Map<string, number>();
  const usec = new Map<string, number>();
  let input = 0;
  let output = 0;
  for (const line of text.split(/\r?\n/)) {
    const command = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (command) {
      calls.set(command[1]!, Number(command[2]));
      usec.set(command[1]!, Number(command[3]));
    }
    const bytes = /^total_net_(input|output)_bytes:(\d+)/.exec(line);
    if (bytes?.[1] === 'input') input = Number(bytes[2]);
    if (bytes?.[1] === 'output') output = Number(bytes[2]);
  }
  // The reply is counted as output once it is written, after this sample was taken.
  return { sample: { calls, usec, input, output }, replyBytes: Buffer.byteLength(text) + `$${text.length}\r\n\r\n`.length };
}

/** Runs `run` and counts what Redis executed meanwhile; `stats` must be a client of its own. */
export async function countCommands<T>(stats: Redis, run: () => Promise<T>): Promise<{ result: T; counts: CommandCounts }> {
  await stats.config('RESETSTAT');
  const before = await sample(stats);
  const result = await run();
  const after = (await sample(stats)).sample;
  const calls = new Map<string, number>();
  const usec = new Map<string, number>();
  for (const [name, count] of after.calls) {
    const delta = count - (before.sample.calls.get(name) ?? 0);
    if (delta <= 0 || OWN_COMMANDS.test(name)) continue;
    calls.set(name, delta);
    usec.set(name, after.usec.get(name)! - (before.sample.usec.get(name) ?? 0));
  }
  return {
    result,
    counts: {
      calls,
      usec,
      total: [...calls.values()].reduce((a, b) => a + b, 0),
      inputBytes: after.input - before.sample.input,
      outputBytes: after.output - before.sample.output - before.replyBytes,
    },
  };
}
