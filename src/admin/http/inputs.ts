/**
 * Input shapes more than one route reads: the entry filter (query string of
 * show and export, `filter` of a bulk action), an entry (POST body, a JSON
 * line of an import), and the entry named in the path.
 */
import type { EntryStateFilter } from '../entry-filter.js';
import { canonicalValue } from '../list-admin.js';
import { boolean, flag, oneOf, optional, shownToken, text, withDefault } from './fields.js';
import { type Outcome, badRequest, ok } from './reply.js';

export const MAX_VALUE_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 200;
export const ENTRY_STATES: readonly EntryStateFilter[] = ['active', 'inactive'];

export const FILTER_SHAPE = {
  value: optional(text(MAX_VALUE_LENGTH)),
  state: optional(oneOf(ENTRY_STATES)),
  description: optional(text(MAX_DESCRIPTION_LENGTH)),
  q: optional(text(MAX_DESCRIPTION_LENGTH)),
};

export function entryShape(activeByDefault: boolean) {
  return {
    value: text(MAX_VALUE_LENGTH),
    description: optional(text(MAX_DESCRIPTION_LENGTH)),
    active: withDefault(boolean, activeByDefault),
  };
}

/** Overrides the lockout guard (never for the `admin` scope over the API). */
export const FORCE = { force: flag };

/** The `{cidr}` path parameter in canonical form. */
export function entryParam(params: Readonly<Record<string, string>>): Outcome<string> {
  const raw = params.cidr!;
  const canonical = canonicalValue(raw);
  return canonical.ok ? ok(canonical.value) : badRequest('cidr', canonical.message, shownToken(raw));
}
