/**
 * How a list looks to people (a header, the enforced string, a table of
 * entries) and to scripts (the list state without its internal fingerprint).
 */
import { EMPTY_LIST_ALLOWS } from '../../policy/index.js';
import type { Resolution, ShownList } from '../list-admin.js';
import { shortTime, table } from './table.js';

/** Longer enforced strings are cut in tables; `sipwarden export` prints them whole. */
const ENFORCED_SHOWN = 200;

export type ListJson = Omit<ShownList, 'fingerprint'>;

export function listJson(state: ShownList): ListJson {
  const { fingerprint: _fingerprint, ...json } = state;
  return json;
}

function status(state: ShownList): string {
  if (!state.configured) return 'not configured (open to every address)';
  if (!state.enabled) return state.countries.enabled ? `list disabled (only the countries allow), rev ${state.rev}` : `disabled (open to every address), rev ${state.rev}`;
  return `enabled, rev ${state.rev}`;
}

function enforced(state: ShownList): string {
  if (state.cidrs.trim() === '') return `(no active entries: ${EMPTY_LIST_ALLOWS[state.scope] ? 'allows' : 'denies'} every address when enabled)`;
  if (state.cidrs.length <= ENFORCED_SHOWN) return state.cidrs;
  return `${state.cidrs.slice(0, ENFORCED_SHOWN)}… (${state.cidrs.length} characters; \`sipwarden export\` prints it whole)`;
}

/** A name entry's resolution in one line: `resolves to 198.51.100.7 (resolved, at 2026-12-03 10:20:01)`. */
export function describeResolution(r: Resolution): string {
  const addresses = r.addresses.length > 0 ? `resolves to ${r.addresses.join(', ')}` : 'resolves to nothing';
  const at = r.resolvedAt !== undefined ? `, last resolved ${shortTime(r.resolvedAt)}` : ', never resolved';
  const failure = r.failure !== undefined ? `: ${r.failure}` : '';
  return `${addresses} (${r.state}${failure}${at})`;
}

/** The list for people; `filtered` says the entries shown are those matching a filter. */
export function describeList(state: ShownList, filtered: boolean): string {
  const head = `${state.tenant}/${state.scope}: ${status(state)}`;
  if (!state.configured && state.entries.length === 0) return head;
  const rows = state.entries.map((e) => [
    e.value,
    e.active ? 'active' : 'inactive',
    e.description ?? '',
    shortTime(e.createdAt),
    e.createdBy ?? '',
    shortTime(e.updatedAt),
    e.updatedBy ?? '',
  ]);
  const count = `${state.entries.length} ${state.entries.length === 1 ? 'entry' : 'entries'}${filtered ? ' match' : ''}`;
  const entries = rows.length === 0 ? count : `${table(['value', 'state', 'description', 'created', 'by', 'updated', 'by'], rows)}\n(${count})`;
  const { countries } = state;
  const shownCountries =
    countries.enabled || countries.codes.length > 0
      ? `\ncountries: ${countries.codes.length === 0 ? '(none)' : countries.codes.join(',')} (${countries.enabled ? 'on: their addresses are allowed beside the list' : 'off'})`
      : '';
  const names = state.entries.flatMap((e) => (e.resolution ? [`  ${e.value} ${describeResolution(e.resolution)}`] : []));
  const resolved = names.length > 0 ? `\nnames:\n${names.join('\n')}` : '';
  return `${head}\nenforced: ${enforced(state)}${shownCountries}\n${entries}${resolved}`;
}
