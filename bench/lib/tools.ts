/**
 * What the SIP benchmarks need on the machine, and the versions they print
 * beside their figures.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findDrachtio } from '../../test/e2e/drachtio-server.js';

export function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The first line a tool prints of its version, or undefined. */
export function toolVersion(binary: string, args: readonly string[] = ['--version']): string | undefined {
  try {
    return execFileSync(binary, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').find((l) => l.trim() !== '')?.trim();
  } catch {
    return undefined;
  }
}

/** The drachtio-server binary, when it, sipp and redis-server are all there; else says what `bench` lacks and gives undefined. */
export function sipBenchBinary(bench: string): string | undefined {
  const binary = findDrachtio();
  if (binary === undefined) {
    console.log(`${bench} needs a drachtio-server binary (set DRACHTIO_BIN, or put drachtio on PATH); nothing measured`);
    return undefined;
  }
  const missing = ['sipp', 'redis-server'].filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    console.log(`${bench} needs ${missing.join(' and ')} on PATH; nothing measured`);
    return undefined;
  }
  return binary;
}
