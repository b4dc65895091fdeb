/**
 * Whether this machine lets the suites change its nftables ruleset: `nft` on
 * the PATH, run with CAP_NET_ADMIN. Suites that need it are skipped, and the
 * run says so once (global-setup.ts), so CI elsewhere still passes.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Undefined when nft works here; else why not. */
export function nftUnusable(): string | undefined {
  const listed = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8', timeout: 10_000 });
  if (listed.error !== undefined) return (listed.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no nft on the PATH (Debian package nftables)' : `nft: ${listed.error.message}`;
  if (listed.status !== 0) return `nft may not read the ruleset here (${listed.stderr.trim().split('\n')[0] ?? `exit ${listed.status}`}); run as root or with CAP_NET_ADMIN`;
  return undefined;
}

/** A table name no other run or suite uses. */
export function uniqueTable(suite: string): string {
  return `swtest_${suite}_${randomBytes(4).toString('hex')}`;
}

/** Runs nft with `args` (and `stdin`); its stdout, or throws with its stderr. */
export function nft(args: readonly string[], stdin?: string): string {
  const run = spawnSync('nft', args, { encoding: 'utf8', input: stdin, timeout: 10_000 });
  if (run.status !== 0) throw new Error(`nft ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

/** Deletes `table` if it is there (afterAll of every suite that made one). */
export function deleteTable(table: string): void {
  spawnSync('nft', ['delete', 'table', 'inet', table], { encoding: 'utf8', timeout: 10_000 });
}
