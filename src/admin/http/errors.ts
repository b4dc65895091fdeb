/**
 * Every refusal the API answers, in one JSON shape, so a portal can show
 * `message` and point at `field`/`token`. Handlers and hooks throw an
 * ApiError; the server's error handler sends it, and turns anything else
 * into a 500 whose cause goes to the log only.
 */
import { type AdminFailure, type InvalidItem, shownToken } from '../admin-result.js';

export interface ErrorBody {
  /** Machine-readable kind: `invalid`, `unauthorized`, `forbidden`, `lockout`, `not-found`, … */
  readonly error: string;
  readonly message: string;
  /** The request field at fault: a body field (`value`, `filter.state`), a query parameter, a path parameter, or `body`. */
  readonly field?: string;
  /** The offending text as sent. */
  readonly token?: string;
  /** Every bad entry of a list or an import, with its line or position. */
  readonly items?: readonly InvalidItem[];
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(body.message);
  }
}

/** The token as shown in an error: text as sent (shortened), anything else as JSON. */
export { shownToken };

/** 400 naming the field (and the token) at fault. */
export function invalid(field: string, message: string, token?: string, items?: readonly InvalidItem[]): ApiError {
  return new ApiError(400, { error: 'invalid', message, field, ...(token !== undefined && { token }), ...(items !== undefined && { items }) });
}

/** 401 with the Bearer challenge; `invalid_token` when a token was sent and is not one. */
export function unauthorized(message: string, error?: 'invalid_token'): ApiError {
  const challenge = error ? `Bearer realm="sipwarden", error="${error}"` : 'Bearer realm="sipwarden"';
  return new ApiError(401, { error: 'unauthorized', message }, { 'www-authenticate': challenge });
}

export const forbidden = (message: string): ApiError => new ApiError(403, { error: 'forbidden', message });

export const notFound = (message: string): ApiError => new ApiError(404, { error: 'not-found', message });

const STATUS_OF: Readonly<Record<Exclude<AdminFailure['kind'], 'invalid'>, number>> = {
  'not-found': 404,
  exists: 409,
  // Refusing to lock the caller out is a permission decision, not bad input.
  lockout: 403,
  conflict: 409,
  // The request was fine; the stored list it would change is not.
  unreadable: 422,
};

/** The refusal for a failure from ListAdmin; `field` is where the request carried the input at fault. */
export function failure(failed: AdminFailure, field: string): ApiError {
  if (failed.kind !== 'invalid') return new ApiError(STATUS_OF[failed.kind], { error: failed.kind, message: failed.message });
  const token = failed.items?.[0]?.token;
  return invalid(field, failed.message, token === undefined ? undefined : shownToken(token), failed.items);
}

export const INTERNAL_ERROR: ErrorBody = { error: 'internal', message: 'internal error; it was logged' };
