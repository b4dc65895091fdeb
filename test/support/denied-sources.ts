/**
 * Denied-source records for the suites that seed "who is knocking" (the API
 * and the console): a phone of moved.example that stopped registering after
 * an office move, last seen some minutes before LAST.
 */
import type { DeniedSource } from '../../src/store/denied-log.js';

export const LAST = Date.parse('2026-12-03T10:00:00Z');

export const seen = (address: string, count: number, minutesAgo: number, more: Partial<DeniedSource> = {}): DeniedSource => ({
  tenant: 'moved.example',
  scope: 'sip',
  address,
  count,
  firstSeen: LAST - 3_600_000,
  lastSeen: LAST - minutesAgo * 60_000,
  method: 'REGISTER',
  transport: 'udp',
  userAgent: 'Yealink SIP-T46U',
  domain: 'pbx.moved.example',
  ...more,
});
