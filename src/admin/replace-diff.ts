/**
 * Replacing a whole list: the comma-separated values become the active
 * entries; entries that stay keep their descriptions, inactive entries not
 * named stay listed and inactive, a named inactive entry becomes active, and a
 * scope never set up is switched on. The diff says what that does to what is
 * enforced.
 */
import { canonicalEntry, parseCidrList } from '../policy/index.js';
import type { ListState } from '../store/list-state.js';
import type { ListChange } from '../store/list-update.js';
import type { AdminFailure } from './admin-result.js';
import { asInput } from './entry-value.js';

export interface ReplaceDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: readonly string[];
}

/** The canonical values of a comma-separated list, each once, in order; or every bad entry with its position. */
export function replacementValues(cidrs: string): string[] | AdminFailure {
  const parsed = parseCidrList(cidrs);
  if (!parsed.ok) {
    const items = parsed.errors.map((e) => ({ entry: e.index - 1, token: e.token, message: e.message }));
    return { kind: 'invalid', message: parsed.message, items };
  }
  return [...new Set(Array.from({ length: parsed.list.length }, (_, i) => canonicalEntry(parsed.list, i)))];
}

/** `values` as the whole active list of `state`: the diff and the change that makes it. */
export function replacement(state: ListState, values: readonly string[]): { diff: ReplaceDiff; next: ListChange } {
  const wanted = new Set(values);
  const activeBefore = state.entries.filter((e) => e.active).map((e) => e.value);
  const before = new Set(activeBefore);
  const byValue = new Map(state.entries.map((e) => [e.value, asInput(e)]));
  return {
    diff: {
      added: values.filter((v) => !before.has(v)),
      removed: activeBefore.filter((v) => !wanted.has(v)),
      unchanged: values.filter((v) => before.has(v)),
    },
    next: {
      enabled: state.configured ? state.enabled : true,
      entries: [
        ...values.map((value) => ({ ...(byValue.get(value) ?? { value }), active: true })),
        ...state.entries.filter((e) => !e.active && !wanted.has(e.value)).map(asInput),
      ],
    },
  };
}
