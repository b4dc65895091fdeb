/**
 * Auto-ban (issue 14): off unless SIPWARDEN_AUTOBAN is on; the threshold,
 * window and duration of a ban, and the addresses never banned.
 */
import { NAME_ENTRY, parseCidrList } from '../policy/index.js';
import { type EnvErrors, type EnvReader, boolean, integer, text } from './env.js';

export interface AutoBanConfig {
  readonly enabled: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  readonly durationMs: number;
  readonly sweepMs: number;
  /** Comma-separated CIDRs never banned (the SIP trusted proxies are added to them). */
  readonly neverBan: string;
}

export function autoBanConfig(env: EnvReader, errors: EnvErrors): AutoBanConfig {
  const neverBan = text(env, 'SIPWARDEN_NEVER_BAN', '');
  const parsed = parseCidrList(neverBan);
  if (!parsed.ok) errors.messages.push(`SIPWARDEN_NEVER_BAN: ${parsed.message}`);
  else if (parsed.list.families.subarray(0, parsed.list.length).includes(NAME_ENTRY)) errors.messages.push('SIPWARDEN_NEVER_BAN: addresses and blocks only, no DNS names');
  return {
    enabled: boolean(env, errors, 'SIPWARDEN_AUTOBAN', false),
    threshold: integer(env, errors, 'SIPWARDEN_AUTOBAN_THRESHOLD', 100, 1, 10_000_000),
    windowMs: integer(env, errors, 'SIPWARDEN_AUTOBAN_WINDOW_S', 10, 1, 86_400) * 1000,
    durationMs: integer(env, errors, 'SIPWARDEN_AUTOBAN_DURATION_S', 3600, 1, 30 * 86_400) * 1000,
    sweepMs: integer(env, errors, 'SIPWARDEN_AUTOBAN_SWEEP_MS', 1000, 100, 60_000),
    neverBan,
  };
}
