/**
 * An entry as an admin types it, in the one canonical form the store keys it
 * by: `203.0.113.9/24` is `203.0.113.0/24`, `2001:DB8::/32` is
 * `2001:db8::/32`. Every operation that names an entry (add, edit, delete,
 * read, bulk by values, import) goes through here, so any spelling names the
 * same entry in the CLI and the API alike.
 */
import { canonicalEntry, parseCidrList } from '../policy/index.js';
import type { EntryInput, ListEntry } from '../store/list-state.js';
import type { AdminFailure } from './admin-result.js';

/** The canonical form of one entry as typed, or why it is not one. */
export function canonicalValue(text: string): { ok: true; value: string } | { ok: false; message: string } {
  if (text.includes(',')) return { ok: false, message: `${JSON.stringify(text)}: one entry expected, found a comma` };
  const parsed = parseCidrList(text);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.list.length !== 1) return { ok: false, message: 'an entry is required' };
  return { ok: true, value: canonicalEntry(parsed.list, 0) };
}

/** The canonical form of one entry named, or `invalid` with the item naming it. */
export function canonicalNamed(text: string): string | AdminFailure {
  const c = canonicalValue(text);
  return c.ok ? c.value : { kind: 'invalid', message: c.message, items: [{ token: text, message: c.message }] };
}

/** The canonical values named, or `invalid` naming the first that is no entry, with its 0-based position. */
export function canonicalValues(values: readonly string[]): string[] | AdminFailure {
  const canonical: string[] = [];
  for (const [entry, value] of values.entries()) {
    const c = canonicalValue(value);
    if (!c.ok) return { kind: 'invalid', message: c.message, items: [{ entry, token: value, message: c.message }] };
    canonical.push(c.value);
  }
  return canonical;
}

/** A stored entry as a change submits it again: value, state and description, no stamps. */
export function asInput({ value, description, active }: ListEntry): EntryInput {
  return { value, active, ...(description !== undefined && { description }) };
}
