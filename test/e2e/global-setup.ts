/**
 * Vitest global setup: says once per run, not once per file, that the
 * end-to-end suites are skipped for want of a drachtio-server binary, and
 * that the kernel ban sink's suites are for want of a usable nft.
 */
import { nftUnusable } from '../support/nftables.js';
import { findDrachtio } from './drachtio-server.js';

export default function setup(): void {
  if (findDrachtio() === undefined) process.stdout.write('SKIPPED e2e: no drachtio-server binary (set DRACHTIO_BIN)\n');
  const nft = nftUnusable();
  if (nft !== undefined) process.stdout.write(`SKIPPED kernel ban sink: ${nft}\n`);
}
