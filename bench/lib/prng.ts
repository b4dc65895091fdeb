/** Deterministic pseudo-random numbers, so benchmark runs see the same data. */

/** A random unsigned 32-bit integer per call. */
export type Random = () => number;

/** mulberry32: a tiny 32-bit PRNG, plenty for test data (not for anything secret). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A seed derived from a label (FNV-1a), so each data set has its own stable stream. */
export function seedFrom(label: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** An integer in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + (random() % (max - min + 1));
}

/** True with probability `p`. */
export function chance(random: Random, p: number): boolean {
  return random() < p * 0x1_0000_0000;
}
