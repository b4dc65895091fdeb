/**
 * sipp as a load generator for bench/sip.ts: REGISTERs (the e2e scenario
 * sip-fixtures/scenarios/uac-register.xml) at a fixed rate for a fixed count,
 * over UDP from one local address.
 *
 * Response times come from sipp's message trace (-trace_msg), whose
 * timestamps have microseconds: sipp's own -trace_rtt file counts in its
 * scheduler's clock ticks (4 ms steps on this machine class), too coarse for
 * loopback answers that take about a millisecond. sipp's statistics file
 * (-trace_stat) supplies its own success, failure and retransmission counts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS } from '../../test/e2e/sipp.js';
import { freePort } from '../../test/support/net.js';

export interface LoadOptions {
  /** Local address to send from (127.0.0.2 allowed, 127.0.0.3 denied). */
  readonly from: string;
  /** drachtio-server's SIP port on 127.0.0.1. */
  readonly to: number;
  readonly domain: string;
  readonly user: string;
  /** New REGISTERs per second (sipp -r). */
  readonly rate: number;
  /** REGISTERs in all (sipp -m). */
  readonly count: number;
  /** A call with no final answer after this is given up (sipp -recv_timeout). */
  readonly answerTimeoutMs: number;
}

export interface CallResult {
  /** ms since the run's first REGISTER was sent. */
  readonly sentMs: number;
  /** First final response: status and response time (first send to answer) in ms. */
  readonly status?: number;
  readonly rttMs?: number;
  readonly answeredMs?: number;
}

export interface SippCounters {
  readonly successful: number;
  readonly failed: number;
  readonly retransmissions: number;
}

export interface LoadRun {
  readonly calls: readonly CallResult[];
  /** From sipp's statistics file; undefined when it wrote none. */
  readonly sipp: SippCounters | undefined;
  readonly exitCode: number;
  /** Wall time of the sipp process, ms. */
  readonly wallMs: number;
  /**
   * CPU time of this process (user + system, µs) while sipp ran: the work of
   * the applications under test when they live here; parsing comes after.
   */
  readonly processCpuUs: number;
}

/** "2026-11-23 14:21:05.610162" as microseconds; only differences are used. */
function traceTime(date: string, time: string): number {
  const [clock, fraction = '0'] = time.split('.');
  return Date.parse(`${date}T${clock}Z`) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

const BLOCK = /^-{10,} (\S+)\s+(\S+)\n\w+ message (sent|received)[^\n]*\n\n([^\n]*)\n([\s\S]*?)(?=^-{10,} |(?![\s\S]))/gm;
const CALL_ID = /^Call-ID:\s*(\S+)/im;
const STATUS_LINE = /^SIP\/2\.0 (\d{3}) /;

/** Per Call-ID: the first REGISTER sent and the first final response received. */
export function parseMessageTrace(text: string): CallResult[] {
  const calls = new Map<string, { sent: number; status?: number; answered?: number }>();
  let first = Number.POSITIVE_INFINITY;
  for (const match of text.matchAll(BLOCK)) {
    const [, date, time, direction, startLine, rest] = match;
    const callId = CALL_ID.exec(rest!)?.[1];
    if (callId === undefined) continue;
    const at = traceTime(date!, time!);
    if (direction === 'sent') {
      if (!startLine!.startsWith('REGISTER ') || calls.has(callId)) continue; // retransmissions keep the first send
      calls.set(callId, { sent: at });
      first = Math.min(first, at);
      continue;
    }
    const status = Number(STATUS_LINE.exec(startLine!)?.[1] ?? 0);
    const call = calls.get(callId);
    if (call === undefined || status < 200 || call.status !== undefined) continue;
    call.status = status;
    call.answered = at;
  }
  return [...calls.values()].map((call) => ({
    sentMs: (call.sent - first) / 1000,
    ...(call.status !== undefined && {
      status: call.status,
      rttMs: (call.answered! - call.sent) / 1000,
      answeredMs: (call.answered! - first) / 1000,
    }),
  }));
}

/** The cumulative counters of the last line of sipp's statistics file. */
export function parseStatistics(text: string): SippCounters | undefined {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 2) return undefined;
  const header = lines[0]!.split(';');
  const last = lines[lines.length - 1]!.split(';');
  const value = (name: string) => Number(last[header.indexOf(name)] ?? Number.NaN);
  return { successful: value('SuccessfulCall(C)'), failed: value('FailedCall(C)'), retransmissions: value('Retransmissions(C)') };
}

/** Runs sipp to the end (bounded: the sending time plus the answer timeout plus 10 s). */
export async function runRegisterLoad(options: LoadOptions): Promise<LoadRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-bench-sipp-'));
  const trace = join(dir, 'uac.msg');
  const stats = join(dir, 'uac-stat.csv');
  const port = await freePort(options.from);
  const limitS = Math.ceil(options.count / options.rate + options.answerTimeoutMs / 1000 + 5);
  const args = [
    '-sf', join(SCENARIOS, 'uac-register.xml'), '-key', 'domain', options.domain, '-s', options.user,
    '-i', options.from, '-p', String(port), '-t', 'u1',
    '-r', String(options.rate), '-rp', '1000', '-m', String(options.count),
    '-recv_timeout', String(options.answerTimeoutMs), '-timeout', `${limitS}s`, '-nostdin',
    '-trace_msg', '-message_file', trace, '-trace_stat', '-stf', stats, '-fd', '1',
    `127.0.0.1:${options.to}`,
  ];
  const started = performance.now();
  const cpu = process.cpuUsage();
  // Asynchronous on purpose: the applications measured live in this process.
  // sipp's screen output is not read (buffering it here would be measured too).
  const exitCode = await new Promise<number>((resolve) => {
    const child = spawn('sipp', args, { stdio: 'ignore' });
    const killer = setTimeout(() => child.kill('SIGKILL'), (limitS + 5) * 1000);
    child.once('error', () => resolve(-1));
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve(code ?? -1);
    });
  });
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  const calls = parseMessageTrace(read(trace));
  const sipp = parseStatistics(read(stats));
  rmSync(dir, { recursive: true, force: true });
  return { calls, sipp, exitCode, wallMs, processCpuUs: used.user + used.system };
}
