/**
 * An edge's judgement of the store marker (store-marker.ts) each read saw:
 * whether the read may be applied, or the store lost the data this edge
 * followed. Losing the whole data set is not an admin deleting lists: an
 * unconfigured scope is open by design, so applying an emptied store would
 * open every scope at once. While lost, the edge keeps its last-known-good
 * lists, applies nothing from the store and writes no snapshot; it follows
 * the store again when the marker it knew is back (a backup restored) or an
 * admin re-initialised the store (`sipwarden store init`, kind `init`).
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MarkerSeen } from './store-marker.js';

/** What a read may do to the cache. */
export type MarkerVerdict =
  /** Apply it: the marker this edge follows, or a store that keeps none. */
  | 'follow'
  /** Apply it: neither the edge nor the store knows a marker yet; a full read that finds lists adopts the store. */
  | 'unmarked'
  /** The known marker is back, or an admin re-initialised the store: follow again, from a full read only. */
  | 'resume'
  /** The store lost the data this edge followed: apply nothing. */
  | 'lost';

/** The /health reason while the store has lost its data. */
export const STORE_DATA_LOST = 'store-data-lost';

export class MarkerGuard {
  private knownId: string | undefined;
  private isLost = false;
  private warnedUnreadable = false;
  private readonly log: Logger;
  private readonly lostGauge: Gauge;
  private readonly episodes: Counter;

  constructor(logger: Logger, registry: Registry) {
    this.log = logger.child({ component: 'store-marker' });
    const registers = [registry];
    this.lostGauge = new Gauge({
      name: 'sipwarden_store_data_loss',
      help: '1 while the list store has lost the data this edge followed (its marker gone or replaced): the last-known-good lists stay enforced',
      registers,
    });
    this.lostGauge.set(0);
    this.episodes = new Counter({ name: 'sipwarden_store_data_loss_total', help: 'Times the list store was found to have lost its data', registers });
  }

  /** The id of the marker this edge follows; undefined until it has seen one. */
  get known(): string | undefined {
    return this.knownId;
  }

  get lost(): boolean {
    return this.isLost;
  }

  /** Takes the marker a snapshot was written under as the one to follow. */
  remember(id: string): void {
    this.knownId = id;
  }

  judge(seen: MarkerSeen): MarkerVerdict {
    switch (seen.state) {
      case 'not-kept':
        return 'follow';
      case 'absent':
        return this.knownId === undefined ? 'unmarked' : this.lose('the store marker is gone');
      case 'malformed':
        if (this.knownId !== undefined) return this.lose('the store marker was overwritten with something else');
        if (!this.warnedUnreadable) this.log.warn({ found: seen.text }, 'the store marker is unreadable: a store that loses its data will not be noticed; `sipwarden store init --force` writes a good one');
        this.warnedUnreadable = true;
        return 'follow';
      case 'present': {
        const { marker } = seen;
        if (this.knownId === undefined) {
          this.knownId = marker.id;
          return 'follow';
        }
        if (marker.id === this.knownId) return this.lost ? this.resume('the marker this edge followed is back', marker.id) : 'follow';
        if (marker.kind === 'init') return this.resume(`${marker.createdBy} re-initialised the store at ${marker.createdAt}`, marker.id);
        return this.lose(`the store has another marker (${marker.id}, made by ${marker.createdBy} at ${marker.createdAt}) than the one this edge followed`);
      }
    }
  }

  private lose(reason: string): 'lost' {
    // Once per episode: every read while lost would say the same.
    if (!this.isLost) {
      this.log.error(
        { known: this.knownId, reason },
        'the list store lost the data this edge followed: enforcing the last-known-good lists and applying nothing from the store ' +
          'until its backup is restored or an admin runs `sipwarden store init --force`',
      );
      this.episodes.inc();
      this.lostGauge.set(1);
    }
    this.isLost = true;
    return 'lost';
  }

  private resume(how: string, id: string): 'resume' {
    this.log.warn({ previous: this.knownId, marker: id, how, wasLost: this.lost }, 'following the list store again');
    this.knownId = id;
    this.isLost = false;
    this.lostGauge.set(0);
    return 'resume';
  }
}
