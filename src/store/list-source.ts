/**
 * Where the live cache reads lists from: Redis, or the embedded file store.
 * Reads may fail (the store is down); the cache then keeps what it has.
 */
import type { ListId } from './keys.js';
import type { RawList } from './raw-list.js';

export interface SourceEvents {
  /** One list changed (a notification, or a keyspace event of a hand-made write). */
  listChanged(id: ListId): void;
  /** The domain map changed. */
  domainsChanged(): void;
  /** Notifications may have been lost (reconnected): everything must be read again. */
  resync(): void;
}

export interface ListSource {
  /** Every list the store holds. */
  readAll(): Promise<RawList[]>;
  /** One list, read atomically (no half-applied update). */
  read(id: ListId): Promise<RawList>;
  /** SIP domain (lower case) -> tenant. */
  readDomains(): Promise<Map<string, string>>;
  /** One list's fingerprint (see fingerprintOf): cheap, to skip reading an unchanged list. */
  fingerprint(id: ListId): Promise<string>;
  /**
   * A cheap fingerprint per list present, keyed by listIdKey: any change to
   * the enforced string or the toggle changes it. The reconciliation backstop
   * compares these to catch changes no event announced.
   */
  fingerprints(): Promise<Map<string, string>>;
  /** Starts delivering events; the returned function stops them. */
  watch(events: SourceEvents): Promise<() => Promise<void>>;
}
