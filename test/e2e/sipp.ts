/**
 * sipp as the clients and as the upstream PBX, driven by the scenarios in
 * sip-fixtures/scenarios.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, udpPortFree, waitFor } from '../support/net.js';

export const SCENARIOS = fileURLToPath(new URL('../../sip-fixtures/scenarios/', import.meta.url));

export interface UacRun {
  /** The final status the scenario logged: 200 or 403; undefined if it got neither. */
  readonly status: number | undefined;
  readonly callId: string | undefined;
  readonly exitCode: number;
}

export interface UacOptions {
  readonly scenario: 'uac-register.xml' | 'uac-invite-bye.xml';
  /** Local address to send from: 127.0.0.2 (allowed) or 127.0.0.3 (denied). */
  readonly from: string;
  readonly domain: string;
  /** The `-s` user: the registering user or the callee. */
  readonly user: string;
  readonly transport: 'udp' | 'tcp';
  /** drachtio-server's SIP port on 127.0.0.1. */
  readonly to: number;
}

/** Runs one call of a UAC scenario to completion (at most 10 s). */
export async function runUac(options: UacOptions): Promise<UacRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-sipp-'));
  const log = join(dir, 'uac.log');
  const port = await freePort(options.from);
  const args = [
    '-sf', join(SCENARIOS, options.scenario), '-key', 'domain', options.domain, '-s', options.user,
    '-i', options.from, '-p', String(port), '-t', options.transport === 'udp' ? 'u1' : 't1',
    '-m', '1', '-timeout', '10', '-nostdin', '-trace_logs', '-log_file', log,
    `127.0.0.1:${options.to}`,
  ];
  const exitCode = await new Promise<number>((resolve) => {
    execFile('sipp', args, { timeout: 15_000 }, (error) => resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1));
  });
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    // No log: the scenario never got to a final status.
  }
  const match = /final-status (\d{3}) (\S+)/.exec(text);
  return { status: match ? Number(match[1]) : undefined, callId: match?.[2], exitCode };
}

/** A request the upstream received, from its message trace. */
export interface ReceivedRequest {
  readonly method: string;
  readonly callId: string | undefined;
  /** Via header values, topmost first. */
  readonly vias: readonly string[];
}

export interface SippUas {
  readonly port: number;
  /** Every request the UAS has received so far. */
  requests(): ReceivedRequest[];
  stop(): Promise<void>;
}

function parseTrace(text: string): ReceivedRequest[] {
  const requests: ReceivedRequest[] = [];
  for (const block of text.split(/^-{10,}.*$/m)) {
    const lines = block.split(/\r?\n/);
    const received = lines.findIndex((line) => / message received/.test(line));
    if (received < 0) continue;
    const message = lines.slice(received + 1).filter((line) => line !== '');
    const start = /^([A-Z]+) \S+ SIP\/2\.0$/.exec(message[0] ?? '');
    if (!start) continue;
    const header = (name: string) => message.filter((line) => line.toLowerCase().startsWith(`${name}:`)).map((line) => line.slice(name.length + 1).trim());
    requests.push({ method: start[1]!, callId: header('call-id')[0], vias: header('via').flatMap((via) => via.split(/,\s*(?=SIP\/)/)) });
  }
  return requests;
}

export interface UasOptions {
  /** Keep the message trace `requests()` reads (default true); the benchmark turns it off. */
  readonly trace?: boolean;
}

/** The upstream PBX stand-in on 127.0.0.1 (UDP), with a message trace the test reads. */
export async function startUas(options: UasOptions = {}): Promise<SippUas> {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-uas-'));
  const trace = join(dir, 'uas.msg');
  const port = await freePort();
  const child: ChildProcess = spawn(
    'sipp',
    [
      '-sf', join(SCENARIOS, 'uas-upstream.xml'), '-i', '127.0.0.1', '-p', String(port), '-nostdin',
      ...(options.trace === false ? [] : ['-trace_msg', '-message_file', trace]),
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready once its socket holds the port.
  await waitFor('sipp UAS', async () => (child.exitCode !== null ? Promise.reject(new Error('sipp UAS exited')) : (await udpPortFree('127.0.0.1', port)) ? undefined : true));
  return {
    port,
    requests() {
      try {
        return parseTrace(readFileSync(trace, 'utf8'));
      } catch {
        return [];
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
