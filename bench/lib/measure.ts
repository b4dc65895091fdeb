/**
 * Timing and memory helpers shared by the benchmarks: time-bounded throughput,
 * repeated timings, heap deltas, and number formatting.
 */

export interface Throughput {
  readonly operations: number;
  readonly seconds: number;
  /** The median of the rounds' rates: one noisy round (a GC, a busy neighbour) does not move it. */
  readonly perSecond: number;
  /**
   * The fastest round's rate. Interference only ever slows code down, so the
   * fastest round is the closest estimate of its own speed (the minimum-time
   * estimator of BenchmarkTools.jl; Chen & Revels, "Robust benchmarking in
   * noisy environments", 2016).
   */
  readonly best: number;
  /** Operations per second of each round. */
  readonly rounds: readonly number[];
}

export interface MeasureOptions {
  /** Keep going until at least this much time has passed... */
  readonly minMs: number;
  /** ...and at least this many operations ran (at least one per round). */
  readonly minOperations: number;
  /** The time is split into this many rounds, each timed on its own (default 5). */
  readonly rounds?: number;
}

/** Keeps results observable so the JIT cannot drop the work. */
let sink = 0;

/** The result sink; print or ignore it, it only has to be reachable. */
export function sinkValue(): number {
  return sink;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

type Round<T> = (operation: (input: T) => unknown, inputs: readonly T[], first: number, minMs: number, minOperations: number) => { operations: number; ms: number; hits: number };

/**
 * One timed round from inputs[first], cycling (`mask` = length - 1), in batches
 * that grow while they are short so the clock is read rarely.
 *
 * Compiled afresh for every measured operation (as benchmark.js does): a loop
 * shared by all implementations would see them all at its call site, turn
 * megamorphic, and charge every implementation a call it does not make.
 */
const ROUND_SOURCE = `
  const mask = inputs.length - 1;
  let done = 0;
  let batch = 1;
  let hits = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    const batchStart = performance.now();
    for (let k = 0; k < batch; k++) if (operation(inputs[(first + done + k) & mask])) hits++;
    done += batch;
    const now = performance.now();
    elapsed = now - start;
    if (now - batchStart < 2 && batch < 1 << 20) batch *= 2;
  } while (elapsed < minMs || done < minOperations);
  return { operations: done, ms: elapsed, hits };`;

const rounds = new WeakMap<object, unknown>();

/** The round loop of `operation`: its own, shared by its warm-up and its measurement. */
function roundOf<T>(operation: (input: T) => unknown): Round<T> {
  let round = rounds.get(operation) as Round<T> | undefined;
  if (round === undefined) {
    round = new Function('operation', 'inputs', 'first', 'minMs', 'minOperations', ROUND_SOURCE) as Round<T>;
    rounds.set(operation, round);
  }
  return round;
}

/**
 * Calls `operation` on inputs[0], inputs[1], ... (cycling; the length must be
 * a power of two) until the time and count minimums are both met.
 */
export function measure<T>(operation: (input: T) => unknown, inputs: readonly T[], options: MeasureOptions): Throughput {
  if (inputs.length === 0 || (inputs.length & (inputs.length - 1)) !== 0) throw new Error('measure: inputs length must be a power of two');
  const rounds = options.rounds ?? 5;
  const round = roundOf(operation);
  const rates: number[] = [];
  let operations = 0;
  let ms = 0;
  for (let r = 0; r < rounds; r++) {
    const result = round(operation, inputs, operations, options.minMs / rounds, Math.max(1, Math.ceil(options.minOperations / rounds)));
    sink += result.hits;
    rates.push(result.operations / (result.ms / 1000));
    operations += result.operations;
    ms += result.ms;
  }
  return { operations, seconds: ms / 1000, perSecond: median(rates), best: Math.max(...rates), rounds: rates };
}

/**
 * Runs `operation` until its rate settles (two consecutive short rounds within
 * `tolerance` of each other, after at least `minMs`), so the measured run sees
 * optimized code. On two cores the optimizing compiler competes with GC
 * threads, and a fixed short warm-up sometimes ends before it is done.
 */
export function warmUp<T>(operation: (input: T) => unknown, inputs: readonly T[], { roundMs = 50, minMs = 200, maxMs = 2000, tolerance = 0.15 } = {}): void {
  const start = performance.now();
  let previous = 0;
  for (;;) {
    const { perSecond } = measure(operation, inputs, { minMs: roundMs, minOperations: 1, rounds: 1 });
    const elapsed = performance.now() - start;
    const settled = previous > 0 && Math.abs(perSecond - previous) <= tolerance * previous;
    if (elapsed >= maxMs || (settled && elapsed >= minMs)) return;
    previous = perSecond;
  }
}

export interface Timing<R> {
  /** Median wall time of one run, in ms. */
  readonly medianMs: number;
  readonly runs: readonly number[];
  /** The last run's result. */
  readonly result: R;
}

/** Times `fn` at least `minRuns` times and for at least `minMs` in total. */
export function timeRuns<R>(fn: () => R, minRuns: number, minMs: number): Timing<R> {
  const runs: number[] = [];
  let total = 0;
  let result: R;
  do {
    const start = performance.now();
    result = fn();
    const ms = performance.now() - start;
    runs.push(ms);
    total += ms;
  } while (runs.length < minRuns || total < minMs);
  return { medianMs: median(runs), runs, result };
}

export function collectGarbage(): void {
  if (globalThis.gc === undefined) return;
  globalThis.gc();
  globalThis.gc();
}

export function hasGc(): boolean {
  return globalThis.gc !== undefined;
}

export interface HeapDelta<R> {
  readonly heapUsed: number;
  readonly arrayBuffers: number;
  /** heapUsed + arrayBuffers, in bytes. */
  readonly total: number;
  readonly result: R;
}

/** The memory `fn`'s result keeps alive: heapUsed + arrayBuffers growth across forced GCs. */
export function heapDelta<R>(fn: () => R): HeapDelta<R> {
  collectGarbage();
  const before = process.memoryUsage();
  const result = fn();
  collectGarbage();
  const after = process.memoryUsage();
  const heapUsed = after.heapUsed - before.heapUsed;
  const arrayBuffers = after.arrayBuffers - before.arrayBuffers;
  return { heapUsed, arrayBuffers, total: heapUsed + arrayBuffers, result };
}

/** 12345678 -> "12.3 M", 1234 -> "1,234". */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)} k`;
  if (perSecond >= 100) return Math.round(perSecond).toLocaleString('en-US');
  return perSecond.toPrecision(3);
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(0)} ms`;
  if (ms >= 1) return `${ms.toFixed(1)} ms`;
  return `${(ms * 1000).toFixed(0)} µs`;
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A left-aligned text table with a header row. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
