/**
 * The store marker's key in Redis (see store-marker.ts): read it, create it
 * when missing, replace it on an admin's explicit re-initialisation.
 */
import type { RedisClient } from './redis-connection.js';
import { type MarkerSeen, type StoreMarker, markerSeen } from './store-marker.js';

export interface MarkerCreation {
  /** False when a marker was there already (another edge or admin got in first). */
  readonly created: boolean;
  /** The marker in the store now: ours, or the one found. */
  readonly current: MarkerSeen;
}

export class RedisStoreMarker {
  constructor(
    private readonly client: RedisClient,
    readonly key: string,
  ) {}

  async read(): Promise<MarkerSeen> {
    return markerSeen(await this.client.get(this.key));
  }

  /** Writes `marker` unless the store has one (SET NX), and reads back what is there, in one MULTI. */
  async create(marker: StoreMarker): Promise<MarkerCreation> {
    const replies = await this.client.multi().set(this.key, JSON.stringify(marker), 'NX').get(this.key).exec();
    if (replies === null) throw new Error('marker creation aborted');
    const [[setError, set], [getError, current]] = replies as [[Error | null, unknown], [Error | null, unknown]];
    if (setError) throw setError;
    if (getError) throw getError;
    return { created: set === 'OK', current: markerSeen(current as string | null) };
  }

  /** Writes `marker` whatever is there; returns what it replaced. */
  async replace(marker: StoreMarker): Promise<MarkerSeen> {
    return markerSeen((await this.client.set(this.key, JSON.stringify(marker), 'GET')) as string | null);
  }
}
