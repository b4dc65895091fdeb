/**
 * Vitest global setup: says once per run, not once per e2e file, that the
 * end-to-end suites are skipped for want of a drachtio-server binary.
 */
import { findDrachtio } from './drachtio-server.js';

export default function setup(): void {
  if (findDrachtio() === undefined) process.stdout.write('SKIPPED e2e: no drachtio-server binary (set DRACHTIO_BIN)\n');
}
