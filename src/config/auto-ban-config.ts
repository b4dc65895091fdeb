/**
 * Shedding repeat offenders (issue 14): auto-ban, off unless SIPWARDEN_AUTOBAN
 * is on (the threshold, window and duration of a ban), the per-source rate
 * limit on denials, and the addresses never shed by either.
 */
import { NAME_ENTRY, parseCidrList } from '../policy/index.js';
import { RATE_LIMIT_ACTIONS, type RateLimitAction } from '../sip/source-rate-limit.js';
import { type EnvErrors, type EnvReader, boolean, integer, oneOf, text } from './env.js';

export interface AutoBanConfig {
  readonly enabled: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  readonly durationMs: number;
  readonly sweepMs: number;
  /** Comma-separated CIDRs never banned nor rate-limited (the SIP trusted proxies are added to them). */
  readonly neverBan: string;
  /** Denials a second per source past which its requests are shed until the second ends; 0: no limit. */
  readonly sourceRateLimit: number;
  readonly sourceRateAction: RateLimitAction;
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
    sourceRateLimit: integer(env, errors, 'SIPWARDEN_SOURCE_RATE_LIMIT', 50, 0, 1_000_000),
    sourceRateAction: oneOf(env, errors, 'SIPWARDEN_SOURCE_RATE_ACTION', RATE_LIMIT_ACTIONS, 'reject'),
  };
}
