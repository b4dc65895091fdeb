/**
 * The admin store's reads of a list, remembered while the list stays the
 * same: a read first asks Redis for the list's fingerprint (40 bytes, one
 * script call) and reuses the state read before when it is unchanged. A
 * 100,000-entry list then costs its transfer and parsing once per change,
 * not once per page or filter a console asks for. Writes go through as
 * before: they compare-and-set on the fingerprint, which a remembered state
 * carries as read. (Like the live cache, a description edited in place by
 * hand, which changes no fingerprint, shows at the list's next change.)
 */
import { type ListId, listIdKey } from '../store/keys.js';
import type { ListChange, ReadResult, WriteOptions, WriteResult } from '../store/list-update.js';
import type { ListState } from '../store/list-state.js';
import type { ListStore } from './admin-store.js';

/** Lists remembered at most: the ones being worked on in a console or two. */
const REMEMBERED = 16;

export class RememberedLists implements ListStore {
  private readonly states = new Map<string, ListState>();

  constructor(
    private readonly store: ListStore,
    private readonly fingerprint: (id: ListId) => Promise<string>,
  ) {}

  async readState(id: ListId): Promise<ReadResult> {
    const key = listIdKey(id);
    const known = this.states.get(key);
    if (known !== undefined && known.fingerprint === (await this.fingerprint(id))) {
      // Most recently used last: the first in the map is the one to forget.
      this.states.delete(key);
      this.states.set(key, known);
      return { ok: true, state: known };
    }
    const read = await this.store.readState(id);
    this.states.delete(key);
    if (read.ok) {
      this.states.set(key, read.state);
      if (this.states.size > REMEMBERED) this.states.delete(this.states.keys().next().value!);
    }
    return read;
  }

  write(id: ListId, change: ListChange, options: WriteOptions): Promise<WriteResult> {
    return this.store.write(id, change, options);
  }
}
