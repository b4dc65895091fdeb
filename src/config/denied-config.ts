/**
 * Who is knocking (issue 14): how the edge keeps the sources it denied and
 * how they are recorded in Redis.
 */
import { DEFAULT_DENIED_BOUNDS, type DeniedBounds } from '../store/denied-log.js';
import { type EnvErrors, type EnvReader, integer } from './env.js';

export interface DeniedConfig {
  /** Slots in the edge's table of denied sources; 0 keeps none (and records none). */
  readonly tableSize: number;
  /** How often the table is added into Redis. */
  readonly flushMs: number;
  readonly bounds: DeniedBounds;
}

export function deniedConfig(env: EnvReader, errors: EnvErrors): DeniedConfig {
  return {
    tableSize: integer(env, errors, 'SIPWARDEN_DENIED_TABLE_SIZE', 1024, 0, 1_000_000),
    flushMs: integer(env, errors, 'SIPWARDEN_DENIED_FLUSH_MS', 5000, 100, 3_600_000),
    bounds: {
      maxSources: integer(env, errors, 'SIPWARDEN_DENIED_MAX_PER_TENANT', DEFAULT_DENIED_BOUNDS.maxSources, 1, 100_000),
      ttlSeconds: integer(env, errors, 'SIPWARDEN_DENIED_TTL_S', DEFAULT_DENIED_BOUNDS.ttlSeconds, 60, 366 * 24 * 3600),
    },
  };
}
