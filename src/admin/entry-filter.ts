/**
 * Filtering a list's entries the way admins search them: by value text, by
 * state, by description, or a quick search across all three.
 */
import type { ListEntry } from '../store/list-state.js';

export type EntryStateFilter = 'active' | 'inactive';

export interface EntryFilter {
  /** Text in the entry's value (`192.0.2`, `/24`, `2001:db8`). */
  readonly value?: string;
  readonly state?: EntryStateFilter;
  /** Text in the description. */
  readonly description?: string;
  /** Quick search: text in the value, the description, or the state word. */
  readonly q?: string;
}

const contains = (haystack: string | undefined, needle: string) => (haystack ?? '').toLowerCase().includes(needle.toLowerCase());

export function isEmptyFilter(filter: EntryFilter): boolean {
  return filter.value === undefined && filter.state === undefined && filter.description === undefined && filter.q === undefined;
}

export function matchesFilter(entry: ListEntry, filter: EntryFilter): boolean {
  if (filter.value !== undefined && !contains(entry.value, filter.value)) return false;
  if (filter.state !== undefined && (filter.state === 'active') !== entry.active) return false;
  if (filter.description !== undefined && !contains(entry.description, filter.description)) return false;
  if (filter.q !== undefined) {
    const state = entry.active ? 'active' : 'inactive';
    if (!contains(entry.value, filter.q) && !contains(entry.description, filter.q) && state !== filter.q.toLowerCase()) return false;
  }
  return true;
}
