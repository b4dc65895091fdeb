/**
 * The main job's log stream: JSON lines on standard output, written through
 * a buffer.
 *
 * The edge writes a line per allowed request and per logged denial. pino's
 * default stream writes each line with a write(2) of its own, and a profile
 * of bench:sip put that at ~20 µs a line, the largest single cost the
 * filter added to a request. Buffered, lines go out when SIPWARDEN_LOG_BUFFER_BYTES
 * have gathered or a second has passed, whichever comes first, and at exit
 * (pino flushes an asynchronous stream synchronously on `exit`, so a stop
 * and a crash that exits write what is buffered). Only a kill the process
 * cannot see (SIGKILL, the OOM killer) loses what the buffer held, at most a
 * second's lines. SIPWARDEN_LOG_BUFFER_BYTES=0 writes each line as it is made.
 *
 * When standard output cannot keep up (a stalled log collector), the buffer
 * grows to at most BUFFER_LIMIT_BYTES; lines past that are dropped and
 * counted (sipwarden_log_lines_dropped_total), so a stalled collector costs
 * log lines, never the edge's memory or its decisions.
 */
import { pino } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** How often buffered lines are written when fewer than the buffer size have gathered. */
export const LOG_FLUSH_MS = 1000;
/** The most the stream holds for a standard output that does not take it. */
export const BUFFER_LIMIT_BYTES = 16 * 2 ** 20;
export const DEFAULT_LOG_BUFFER_BYTES = 4096;
/** sonic-boom writes at most 16 KiB at a time and refuses a buffer that is not smaller. */
export const MAX_LOG_BUFFER_BYTES = 16_000;
export const DROPPED_LINES_METRIC = 'sipwarden_log_lines_dropped_total';

export type LogStream = ReturnType<typeof pino.destination>;

export interface LogStreamOptions {
  /** File descriptor written to; default 1 (standard output). */
  readonly fd?: number;
  /** Bytes gathered before a write; 0: every line written as it is made. */
  readonly bufferBytes: number;
  /** Default BUFFER_LIMIT_BYTES. */
  readonly limitBytes?: number;
}

export function openLogStream(options: LogStreamOptions): LogStream {
  const fd = options.fd ?? 1;
  if (options.bufferBytes === 0) return pino.destination({ dest: fd, sync: true });
  return pino.destination({ dest: fd, sync: false, minLength: options.bufferBytes, maxLength: options.limitBytes ?? BUFFER_LIMIT_BYTES, periodicFlush: LOG_FLUSH_MS });
}

/** Counts the lines the stream drops (each `drop` hands over the text of one or more whole lines). */
export function countDroppedLines(stream: LogStream, registry: Registry): void {
  const dropped = new Counter({ name: DROPPED_LINES_METRIC, help: 'Log lines dropped because standard output did not take them and the log buffer was full (SIPWARDEN_LOG_BUFFER_BYTES).', registers: [registry] });
  stream.on('drop', (data: string | Buffer) => {
    const text = data.toString();
    let lines = 0;
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
    dropped.inc(Math.max(1, lines));
  });
}
