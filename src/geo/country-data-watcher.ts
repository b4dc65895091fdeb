/**
 * Follows the user's .mmdb (SIPWARDEN_GEOIP_DB) while the edge runs: when the
 * file changes, it is read again, and only a valid country .mmdb replaces the
 * data in use; anything else (a truncated or half-written file, garbage, a
 * deleted file) is refused, logged and counted, and the last good data stays.
 *
 * The directory is watched, not the file: replacing it by rename (`mv
 * new.mmdb GeoLite2-Country.mmdb`, as geoipupdate does) gives the name a new
 * inode that a watch on the old one would never report. Events are debounced,
 * so a file copied in several writes is read once it has been quiet, and a
 * change is recognised by the file's inode, size and mtime, so an event for
 * an unchanged file reads nothing. A slow poll of the same test catches
 * changes on file systems that report none (network mounts).
 *
 * Reading walks the file's search tree on the event loop (mmdb-countries.ts):
 * decisions wait for it, none is dropped, and each sees the old data or the
 * new (ListCache.useCountryData).
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { CountryData } from './index.js';
import { readMmdbCountries } from './mmdb-countries.js';

export const COUNTRY_DATA_RELOADS_METRIC = 'sipwarden_country_data_reloads_total';

export interface CountryDataWatcherOptions {
  /** The .mmdb the data in use was read from. */
  readonly path: string;
  /** The file's version when that data was read (versionOf, taken before the read, so no change after it is missed). */
  readonly version: string;
  /** That data's source (file, type, build date), named in the refusal log as what stays. */
  readonly source: string;
  readonly logger: Logger;
  readonly registry: Registry;
  /** How long the file must be quiet before it is read (default 500 ms). */
  readonly debounceMs?: number;
  /** How often the file is checked without an event (default 60 s). */
  readonly pollMs?: number;
}

const GONE = 'gone';

export class CountryDataWatcher {
  private readonly log: Logger;
  private readonly reloads: Counter<'outcome'>;
  /** The version of the file last read. */
  private seen: string;
  private current: string;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;

  constructor(private readonly options: CountryDataWatcherOptions) {
    this.log = options.logger.child({ component: 'country-data' });
    this.seen = options.version;
    this.current = options.source;
    this.reloads = new Counter({
      name: COUNTRY_DATA_RELOADS_METRIC,
      help: 'Changes of the SIPWARDEN_GEOIP_DB file: reloaded (the new data decides) or refused (unreadable, not a country .mmdb, or gone: the last good data stays)',
      labelNames: ['outcome'],
      registers: [options.registry],
    });
  }

  /** What identifies one version of the file (inode, size, mtime), or that it is gone. */
  static versionOf(path: string): string {
    try {
      const stat = statSync(path);
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return GONE;
    }
  }

  /** Watches the file; `use` is handed each new good data. */
  start(use: (data: CountryData) => void): void {
    const { path, debounceMs = 500, pollMs = 60_000 } = this.options;
    const name = basename(path);
    const check = (): void => this.check(use);
    this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(check, debounceMs);
    });
    this.watcher.on('error', (err) => this.log.warn({ err: err.message, file: path }, 'watching the country data file failed; checking it every poll instead'));
    this.poll = setInterval(check, pollMs);
    this.poll.unref();
  }

  stop(): void {
    this.watcher?.close();
    clearTimeout(this.debounce);
    clearInterval(this.poll);
  }

  private check(use: (data: CountryData) => void): void {
    const { path } = this.options;
    const version = CountryDataWatcher.versionOf(path);
    if (version === this.seen) return;
    this.seen = version;
    let data: CountryData;
    try {
      if (version === GONE) throw new Error(`SIPWARDEN_GEOIP_DB ${path}: the file is gone`);
      const table = readMmdbCountries(path);
      data = { lookup: table, source: table.source };
    } catch (err) {
      this.reloads.inc({ outcome: 'refused' });
      this.log.error({ file: path, reason: (err as Error).message, keeping: this.current }, 'country data refused');
      return;
    }
    use(data);
    this.current = data.source;
    this.reloads.inc({ outcome: 'reloaded' });
    this.log.info({ source: data.source }, 'country data reloaded');
  }
}
