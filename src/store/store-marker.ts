/**
 * The store marker: one small key, `{prefix}:store`, that says "this Redis
 * holds sipwarden's lists" and which incarnation of them. A Redis that comes
 * back empty (restarted without persistence, FLUSHALL by mistake, a replica
 * promoted before it synced) has lost its marker with its data, and an edge
 * that knew the marker can tell that apart from admins deleting lists: the
 * lists are gone *and* so is the marker (or another one was written since).
 *
 *   {"id":"…","createdAt":"2026-11-23T10:00:00.000Z","createdBy":"alice","kind":"init"}
 *
 * kind `auto`: created by sipwarden itself (the first write through
 * sipwarden, or an edge adopting a store of hand-pushed lists); `init`: an
 * admin's explicit `sipwarden store init`, which edges accept even when they
 * followed another marker, since that is how an admin says "the store as it
 * is now is right".
 */
import { randomUUID } from 'node:crypto';

export const MARKER_KINDS = ['auto', 'init'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export interface StoreMarker {
  readonly id: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly kind: MarkerKind;
}

/** The marker as one read saw it. */
export type MarkerSeen =
  /** The store keeps no marker: the embedded list file, whose data cannot silently vanish behind the edge's back. */
  | { readonly state: 'not-kept' }
  | { readonly state: 'absent' }
  | { readonly state: 'present'; readonly marker: StoreMarker }
  /** Something else under the key (a hand-made write): never taken for the marker an edge follows. */
  | { readonly state: 'malformed'; readonly text: string };

/** A read's result with the marker seen atomically with it. */
export interface Marked {
  readonly marker: MarkerSeen;
}

export const NOT_KEPT: MarkerSeen = { state: 'not-kept' };

export function newMarker(kind: MarkerKind, createdBy: string, now = new Date().toISOString()): StoreMarker {
  return { id: randomUUID(), createdAt: now, createdBy, kind };
}

/** What a GET of the marker key returned (null: no key). */
export function markerSeen(text: string | null): MarkerSeen {
  if (text === null) return { state: 'absent' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: 'malformed', text: text.slice(0, 200) };
  }
  const { id, createdAt, createdBy, kind } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const texts = [id, createdAt, createdBy].every((field) => typeof field === 'string' && field !== '');
  if (!texts || !(MARKER_KINDS as readonly unknown[]).includes(kind)) return { state: 'malformed', text: text.slice(0, 200) };
  return { state: 'present', marker: { id, createdAt, createdBy, kind } as StoreMarker };
}

/** Whether two reads saw the same marker. */
export function sameMarker(a: MarkerSeen, b: MarkerSeen): boolean {
  if (a.state === 'present' && b.state === 'present') return a.marker.id === b.marker.id;
  if (a.state === 'malformed' && b.state === 'malformed') return a.text === b.text;
  return a.state === b.state;
}
