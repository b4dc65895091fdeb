/**
 * What to change so that the kernel's sets hold the ban list: the diff of
 * the bans (from Redis, through the sweep) against what the kernel lists.
 * Every element carries a timeout, the ban's remaining time, so the kernel
 * lifts a ban itself when no sipwarden is left to do it; a ban without an
 * expiry (added to the set by hand) is mirrored for a lease at a time,
 * renewed once half of it has run.
 */
import { kernelAddress } from './kernel-address.js';
import type { ElementChanges, KernelBan } from './nft-ruleset.js';

/** Less left than this: the ban is as good as expired, not written. */
export const MIN_TIMEOUT_MS = 1000;
/**
 * How far the kernel's expiry may be from the ban's before it is rewritten:
 * `nft -j` lists whole seconds, and a rewrite each sweep for a rounding
 * error would be churn.
 */
export const EXPIRY_TOLERANCE_MS = 5000;

/** The element a ban wants in the kernel, or undefined when it wants none. */
export function wantedElement(address: string, until: number | undefined, now: number, leaseMs: number): KernelBan | undefined {
  const parsed = kernelAddress(address);
  if (parsed === undefined) return undefined;
  const timeoutMs = until === undefined ? leaseMs : until - now;
  return timeoutMs < MIN_TIMEOUT_MS ? undefined : { ...parsed, timeoutMs };
}

/**
 * `bans`: address -> expiry (ms since the epoch; undefined: until removed).
 * `kernel`: canonical address -> ms left (undefined: no timeout).
 */
export function planMirror(bans: ReadonlyMap<string, number | undefined>, kernel: ReadonlyMap<string, number | undefined>, now: number, leaseMs: number): ElementChanges & { readonly kept: number } {
  const wanted = new Map<string, { ban: KernelBan; lease: boolean }>();
  for (const [address, until] of bans) {
    const ban = wantedElement(address, until, now, leaseMs);
    if (ban !== undefined) wanted.set(ban.address, { ban, lease: until === undefined });
  }
  const upsert: KernelBan[] = [];
  let kept = 0;
  for (const { ban, lease } of wanted.values()) {
    const left = kernel.get(ban.address);
    const stale = left === undefined || (lease ? left < leaseMs / 2 : Math.abs(left - ban.timeoutMs) > EXPIRY_TOLERANCE_MS);
    if (stale) upsert.push(ban);
    else kept++;
  }
  const remove = [...kernel.keys()].filter((address) => !wanted.has(address)).flatMap((address) => kernelAddress(address) ?? []);
  return { upsert, remove, kept };
}
