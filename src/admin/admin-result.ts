/**
 * What an admin operation answers, whichever front end asked: a value, or a
 * failure of a kind each front end maps to its own signal (an exit code, an
 * HTTP status), with every bad input item named.
 */
export interface InvalidItem {
  /** 1-based line of a mass insert, or 0-based position of a submitted entry. */
  readonly line?: number;
  readonly entry?: number;
  readonly token: string;
  readonly message: string;
}

export type AdminFailure =
  | { readonly kind: 'invalid'; readonly message: string; readonly items?: readonly InvalidItem[] }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'exists'; readonly message: string }
  | { readonly kind: 'lockout'; readonly message: string }
  | { readonly kind: 'conflict'; readonly message: string }
  | { readonly kind: 'unreadable'; readonly message: string };

export type AdminResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: AdminFailure };

export const fail = (failure: AdminFailure): { ok: false; failure: AdminFailure } => ({ ok: false, failure });

const MAX_SHOWN = 64;

/** A bad input as a failure shows it: text as given (shortened), anything else as JSON. */
export function shownToken(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
