/**
 * Runs one command against the admin store: reads the Redis settings from the
 * environment, connects, runs the command, disconnects, and sets the exit
 * code. The CLI only ever writes through Redis: the embedded list file is the
 * edge's read-only store.
 */
import { CommanderError } from 'commander';
import { pino } from 'pino';
import { EnvErrors, text } from '../../config/env.js';
import { storeConfig } from '../../config/store-config.js';
import { loadCountryData } from '../../geo/index.js';
import type { CountryLookup } from '../../policy/index.js';
import type { CountryData } from '../list-admin.js';
import { type AdminStore, openAdminStore } from '../open-admin.js';
import { ExitCode } from './exit-codes.js';
import { Output, usageError } from './output.js';
import type { JsonOptions } from './options.js';

/** The URL with its password hidden, fit to print. */
function maskedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^@]*@/, '//***@');
  }
}

/** SIPWARDEN_GEOIP_DB (or the shipped data) could not be read: the user's to fix, not Redis's. */
class CountryDataUnreadable extends Error {}

/** The country data as the edge reads it, loaded the first time a command needs it (check, or a guard with countries on). */
function lazyCountryData(): CountryData {
  let loaded: CountryLookup | undefined;
  return () => {
    try {
      loaded ??= loadCountryData(text(process.env, 'SIPWARDEN_GEOIP_DB')).lookup;
    } catch (err) {
      throw new CountryDataUnreadable(`fix SIPWARDEN_GEOIP_DB: ${(err as Error).message}`);
    }
    return loaded;
  };
}

async function openStore(out: Output): Promise<AdminStore | ExitCode> {
  const url = process.env.REDIS_URL?.trim();
  if (!url) {
    return usageError(
      'REDIS_URL is not set. The CLI changes lists in Redis (the embedded list file is read-only for the edge): ' +
        'set REDIS_URL=redis://host:6379 (or rediss://user:password@host:6380) and run again.',
    );
  }
  const errors = new EnvErrors();
  const config = storeConfig(process.env, errors);
  if (errors.messages.length > 0 || config.kind !== 'redis') return usageError(`fix the Redis settings:\n  ${errors.messages.join('\n  ')}`);
  const timeoutMs = config.connection.commandTimeoutMs;
  let store: AdminStore | undefined;
  try {
    store = await openAdminStore(config, pino({ level: 'warn' }, pino.destination(2)), timeoutMs, lazyCountryData());
  } catch (err) {
    return usageError(`fix REDIS_URL: ${(err as Error).message}`);
  }
  if (store !== undefined) return store;
  return out.unreachable(
    `cannot reach Redis at ${maskedUrl(url)} (no answer within ${timeoutMs} ms): ` +
      'check that redis-server is running and reachable from here, and that REDIS_URL (host, port, password) is right.',
  );
}

/** Runs `body` with the store and sets the process's exit code from the outcome. */
export async function run(options: JsonOptions, body: (store: AdminStore, out: Output) => Promise<ExitCode>): Promise<void> {
  const out = new Output(options.json === true);
  const store = await openStore(out);
  if (typeof store === 'number') {
    process.exitCode = store;
    return;
  }
  try {
    process.exitCode = await body(store, out);
  } catch (err) {
    if (err instanceof CommanderError) throw err;
    if (err instanceof CountryDataUnreadable) {
      process.exitCode = usageError(err.message);
      return;
    }
    // Admin operations return refusals as values: what throws is Redis failing mid-command.
    process.exitCode = out.unreachable(
      `Redis failed during the command: ${(err as Error).message}. Run \`sipwarden show\` to see whether the change was made, then run it again.`,
    );
  } finally {
    store.close();
  }
}
