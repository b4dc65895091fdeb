/**
 * The rules of changes to many entries at once. Import: every entry is
 * checked first and one bad line refuses the whole import (unless the
 * admin skips bad lines); an entry already listed takes the imported
 * description and state, new ones are added after the others. Bulk: entries
 * chosen by value (each must be listed), by filter (never an empty one, which
 * would choose every entry by accident), or all of them explicitly.
 */
import type { ListId } from '../store/keys.js';
import type { EntryInput, ListState } from '../store/list-state.js';
import type { ListChange } from '../store/list-update.js';
import type { AdminFailure, InvalidItem } from './admin-result.js';
import { type EntryFilter, entryMatcher, isEmptyFilter } from './entry-filter.js';
import type { ImportedEntry } from './entry-import.js';
import { asInput, canonicalValue } from './entry-value.js';

/** How many bad lines a refusal's message names; `items` has them all. */
const NAMED_IN_MESSAGE = 20;

const where = (item: InvalidItem) => (item.line !== undefined ? `line ${item.line}` : `entry ${(item.entry ?? 0) + 1}`);
const position = (item: InvalidItem) => item.line ?? item.entry ?? 0;

/**
 * The imported entries in canonical form, and those skipped as invalid
 * (with `unreadable`: items the caller's own parser could not read); or the
 * refusal naming every bad one, unless `skipInvalid`.
 */
export function importPlan(
  imported: readonly ImportedEntry[],
  skipInvalid: boolean,
  unreadable: readonly InvalidItem[],
): { valid: EntryInput[]; skipped: InvalidItem[] } | AdminFailure {
  const skipped: InvalidItem[] = [...unreadable];
  const valid: EntryInput[] = [];
  for (const { input, ...at } of imported) {
    const canonical = canonicalValue(input.value);
    if (canonical.ok) valid.push({ ...input, value: canonical.value });
    else skipped.push({ ...at, token: input.value, message: canonical.message.replace(/^invalid CIDR list, 1 bad entry: #1 /, '') });
  }
  skipped.sort((a, b) => position(a) - position(b));
  if (skipped.length === 0 || skipInvalid) return { valid, skipped };
  const noun = skipped[0]!.line !== undefined ? 'line' : 'entry';
  const shown = skipped.slice(0, NAMED_IN_MESSAGE).map((s) => `${where(s)}: ${s.message}`);
  const more = skipped.length > NAMED_IN_MESSAGE ? `; and ${skipped.length - NAMED_IN_MESSAGE} more` : '';
  const count = `${skipped.length} invalid ${skipped.length === 1 ? noun : noun === 'line' ? 'lines' : 'entries'}`;
  return { kind: 'invalid', message: `${count}, nothing written: ${shown.join('; ')}${more}`, items: skipped };
}

/** `state` with `valid` imported: listed entries take the imported description and state, new ones follow. */
export function withImported(state: ListState, valid: readonly EntryInput[]): ListChange {
  const incoming = new Map(valid.map((e) => [e.value, e]));
  const kept = state.entries.map((e) => incoming.get(e.value) ?? asInput(e));
  const known = new Set(state.entries.map((e) => e.value));
  return { enabled: state.enabled, entries: [...kept, ...valid.filter((e) => !known.has(e.value))] };
}

export type EntrySelector = { readonly values: readonly string[] } | { readonly filter: EntryFilter } | { readonly all: true };
export type BulkAction = 'enable' | 'disable' | 'delete';

/** Why a selector chooses nothing sensible, before any list is read. */
export function selectorRefusal(selector: EntrySelector): AdminFailure | undefined {
  if ('filter' in selector && isEmptyFilter(selector.filter)) {
    return { kind: 'invalid', message: 'an empty filter would select every entry; select all explicitly' };
  }
  return undefined;
}

/** The named entries as a set, or not-found naming those the list lacks. */
export function present(id: ListId, state: ListState, values: readonly string[]): Set<string> | AdminFailure {
  const missing = values.filter((v) => !state.entries.some((e) => e.value === v));
  if (missing.length > 0) return { kind: 'not-found', message: `not in ${id.tenant}/${id.scope}: ${missing.join(', ')}` };
  return new Set(values);
}

/** The entries a selector chooses; `named` are its values in canonical form. */
export function selected(id: ListId, state: ListState, selector: EntrySelector, named: readonly string[] | undefined): Set<string> | AdminFailure {
  if (named !== undefined) return present(id, state, named);
  const filter = 'filter' in selector ? selector.filter : {};
  return new Set(state.entries.filter(entryMatcher(filter)).map((e) => e.value));
}

/** What a bulk action does to one chosen entry (undefined deletes it). */
export function bulkEdit(action: BulkAction): (entry: EntryInput) => EntryInput | undefined {
  return (e) => (action === 'delete' ? undefined : { ...e, active: action === 'enable' });
}

/** Applies `edit` to the selected entries (undefined deletes one). */
export function editSelected(state: ListState, chosen: ReadonlySet<string>, edit: (entry: EntryInput) => EntryInput | undefined): ListChange {
  const entries = state.entries.map(asInput).flatMap((e) => {
    if (!chosen.has(e.value)) return [e];
    const edited = edit(e);
    return edited ? [edited] : [];
  });
  return { enabled: state.enabled, entries };
}
