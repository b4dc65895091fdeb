/**
 * The checks the console makes as the admin types, with the API's own
 * rules (the same parser: src/admin/entry-value.ts and the policy engine),
 * so the message under a field is the one the API would answer.
 */
import { canonicalValue } from '../admin/entry-value.js';

/** "Add IP" takes an address (or a DNS name, for a dynamic address); "Add IP block" a CIDR block. */
export type EntryKind = 'address' | 'block';

export type Checked = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly message: string };

export function checkEntry(kind: EntryKind, text: string): Checked {
  const typed = text.trim();
  if (typed === '') return { ok: false, message: kind === 'block' ? 'enter an IP block, e.g. 203.0.113.0/24' : 'enter an IP address or a DNS name, e.g. 203.0.113.5' };
  const canonical = canonicalValue(typed);
  if (!canonical.ok) return canonical;
  if (kind === 'block' && !typed.includes('/')) return { ok: false, message: `${typed} is a single address or name, not a block: add a prefix length (${typed}/24), or use Add IP` };
  if (kind === 'address' && canonical.value.includes('/')) return { ok: false, message: `${typed} is a block: use Add IP block` };
  return canonical;
}
