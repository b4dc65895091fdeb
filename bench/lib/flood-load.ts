/**
 * sipp as the flood of bench/flood.ts: denied REGISTERs (bench/lib/flood-register.xml)
 * at a fixed rate from one local address over UDP, each sent once (-nr).
 * Counts come from sipp's statistics file, a row a second (-fd 1) plus one
 * at exit: no message trace, which at thousands a second would cost the
 * machine more than the system under test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCENARIO = fileURLToPath(new URL('./flood-register.xml', import.meta.url));

export interface FloodOptions {
  /** Local address to send from. */
  readonly from: string;
  /** Local port (sipp -p); the caller picks a free one. */
  readonly port: number;
  /** The SIP port on 127.0.0.1 flooded. */
  readonly to: number;
  readonly domain: string;
  readonly user: string;
  /** New REGISTERs per second (sipp -r). */
  readonly rate: number;
  readonly seconds: number;
  /** A REGISTER with no 403 after this counts as unanswered (-recv_timeout). */
  readonly answerTimeoutMs: number;
}

/** One row of sipp's statistics file: cumulative counts at `at` (epoch seconds). */
export interface FloodRow {
  readonly at: number;
  readonly created: number;
  /** 403 within the answer timeout. */
  readonly answered: number;
  /** No answer within the timeout. */
  readonly timedOut: number;
  /** Another answer than 403 (or a 100 after the 403...). */
  readonly unexpected: number;
  /** Answers to calls already ended: 403s that came after the timeout. */
  readonly late: number;
  /** Calls still open. */
  readonly open: number;
}

export interface FloodRun {
  readonly from: string;
  readonly rate: number;
  /** REGISTERs sipp was asked to send. */
  readonly count: number;
  readonly rows: readonly FloodRow[];
  /** The last row (at exit). */
  readonly total: FloodRow | undefined;
  /** REGISTERs sent per second while sending (first row to the last row before sipp had sent them all). */
  readonly offeredPerSecond: number;
  /** 403s received (in time or late) per second over that same span. */
  readonly answeredPerSecond: number;
  readonly exitCode: number;
}

export interface FloodProcess {
  readonly pid: number | undefined;
  readonly done: Promise<FloodRun>;
}

function parseRows(text: string): FloodRow[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length < 2) return [];
  const header = lines[0]!.split(';');
  const column = (name: string) => header.indexOf(name);
  const at = column('CurrentTime');
  const wanted = {
    created: column('TotalCallCreated'),
    answered: column('SuccessfulCall(C)'),
    timedOut: column('FailedTimeoutOnRecv(C)'),
    unexpected: column('FailedUnexpectedMessage(C)'),
    late: column('DeadCallMsgs(C)'),
    open: column('CurrentCall'),
  };
  return lines.slice(1).map((line) => {
    const cells = line.split(';');
    // "2026-12-03\t12:29:51.147501\t1796300991.147501": the epoch is the last part.
    const time = Number(cells[at]!.split('\t').pop());
    const get = (index: number) => Number(cells[index] ?? Number.NaN);
    return {
      at: time,
      created: get(wanted.created),
      answered: get(wanted.answered),
      timedOut: get(wanted.timedOut),
      unexpected: get(wanted.unexpected),
      late: get(wanted.late),
      open: get(wanted.open),
    };
  });
}

/** Offered and answered rates while sipp was still sending, from its once-a-second rows. */
function steadyRates(rows: readonly FloodRow[], count: number): { offered: number; answered: number } {
  // Row 0 is written at start; the rows after the last REGISTER was sent only drain.
  const sending = rows.filter((row, i) => i === 0 || rows[i - 1]!.created < count);
  const first = sending[0];
  const last = sending[sending.length - 1];
  if (first === undefined || last === undefined || last.at - first.at <= 0) return { offered: Number.NaN, answered: Number.NaN };
  const span = last.at - first.at;
  return {
    offered: (last.created - first.created) / span,
    answered: (last.answered + last.late - first.answered - first.late) / span,
  };
}

/** Starts sipp; `done` resolves when it has sent its REGISTERs and the last has had its answer timeout. */
export function startFlood(options: FloodOptions): FloodProcess {
  const dir = mkdtempSync(join(tmpdir(), 'sipwarden-flood-'));
  const stats = join(dir, 'flood-stat.csv');
  const count = Math.max(1, Math.round(options.rate * options.seconds));
  const limitS = Math.ceil(options.seconds * 3 + options.answerTimeoutMs / 1000 + 10);
  const args = [
    '-sf', SCENARIO, '-key', 'domain', options.domain, '-s', options.user,
    '-i', options.from, '-p', String(options.port), '-t', 'u1', '-nr',
    '-r', String(options.rate), '-rp', '1000', '-m', String(count), '-l', '200000',
    '-recv_timeout', String(options.answerTimeoutMs), '-timeout', `${limitS}s`, '-nostdin',
    '-trace_stat', '-stf', stats, '-fd', '1',
    `127.0.0.1:${options.to}`,
  ];
  const child = spawn('sipp', args, { stdio: 'ignore' });
  const done = new Promise<FloodRun>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), (limitS + 5) * 1000);
    const finish = (exitCode: number) => {
      clearTimeout(killer);
      let text = '';
      try {
        text = readFileSync(stats, 'utf8');
      } catch {
        // No statistics: sipp did not start.
      }
      rmSync(dir, { recursive: true, force: true });
      const rows = parseRows(text);
      const rates = steadyRates(rows, count);
      resolve({
        from: options.from,
        rate: options.rate,
        count,
        rows,
        total: rows[rows.length - 1],
        offeredPerSecond: rates.offered,
        answeredPerSecond: rates.answered,
        exitCode,
      });
    };
    child.once('error', () => finish(-1));
    child.once('exit', (code) => finish(code ?? -1));
  });
  return { pid: child.pid, done };
}
