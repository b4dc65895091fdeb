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

export function isEmptyFilter(filter: EntryFilter): boolean {
  return filter.value === undefined && filter.state === undefined && filter.description === undefined && filter.q === undefined;
}

/**
 * Descriptions in lower case, kept per entry object: a console filtering a
 * remembered 100,000-entry list as the admin types lowers each once, not
 * once a keystroke. (Values are canonical, so lower case already.)
 */
const lowered = new WeakMap<ListEntry, string>();

function lowerDescription(entry: ListEntry): string {
  let lower = lowered.get(entry);
  if (lower === undefined) {
    lower = (entry.description ?? '').toLowerCase();
    lowered.set(entry, lower);
  }
  return lower;
}

/** The test of `filter`, made once for all the entries it is applied to. */
export function entryMatcher(filter: EntryFilter): (entry: ListEntry) => boolean {
  const value = filter.value?.toLowerCase();
  const description = filter.description?.toLowerCase();
  const q = filter.q?.toLowerCase();
  const { state } = filter;
  return (entry) => {
    if (value !== undefined && !entry.value.includes(value)) return false;
    if (state !== undefined && (state === 'active') !== entry.active) return false;
    if (description !== undefined && !lowerDescription(entry).includes(description)) return false;
    if (q !== undefined && !entry.value.includes(q) && !lowerDescription(entry).includes(q) && (entry.active ? 'active' : 'inactive') !== q) return false;
    return true;
  };
}
