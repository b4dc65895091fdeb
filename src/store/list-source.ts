/**
 * Where the live cache reads lists from: Redis, or the embedded file store.
 * Reads may fail (the store is down); the cache then keeps what it has. Every
 * read that feeds the cache carries the store marker seen atomically with it
 * (store-marker.ts), so the cache can tell a store that lost its data from
 * admins deleting lists.
 */
import type { ListId } from './keys.js';
import type { RawList } from './raw-list.js';
import type { Marked, MarkerSeen } from './store-marker.js';

export interface SourceEvents {
  /** One list changed (a notification, or a keyspace event of a hand-made write). */
  listChanged(id: ListId): void;
  /** The domain map changed. */
  domainsChanged(): void;
  /** Notifications may have been lost (reconnected), or the marker changed: everything must be read again. */
  resync(): void;
}

export interface Watch {
  /**
   * Settles once the store answers and its events flow (subscribed); never
   * while it is down. The first full read waits for it, so no change slips
   * between that read and the subscription.
   */
  readonly live: Promise<void>;
  stop(): Promise<void>;
}

export interface ListSource {
  /** Every list the store holds. */
  readAll(): Promise<{ readonly lists: RawList[] } & Marked>;
  /** One list, read atomically (no half-applied update). */
  read(id: ListId): Promise<RawList & Marked>;
  /** SIP domain (lower case) -> tenant. */
  readDomains(): Promise<{ readonly domains: Map<string, string> } & Marked>;
  /** One list's fingerprint (see fingerprintOf): cheap, to skip reading an unchanged list. */
  fingerprint(id: ListId): Promise<string>;
  /**
   * A cheap fingerprint per list present, keyed by listIdKey: any change to
   * the enforced string or the toggle changes it. The reconciliation backstop
   * compares these to catch changes no event announced.
   */
  fingerprints(): Promise<{ readonly fingerprints: Map<string, string> } & Marked>;
  /**
   * Creates an `auto` marker when the store has none (never replaces one) and
   * returns the marker there now; only stores that keep a marker have it.
   */
  adopt?(createdBy: string): Promise<MarkerSeen>;
  /** Starts delivering events. */
  watch(events: SourceEvents): Promise<Watch>;
}
