/**
 * What a handler answers, as a value: the server writes it. Errors share one
 * JSON shape so a portal can show `message` and point at `field`/`token`.
 */
import type { ServerResponse } from 'node:http';
import type { AdminFailure, InvalidItem } from '../list-admin.js';

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON; ignored when `text` is given. */
  readonly json?: unknown;
  /** Sent as is, `text/plain` unless a content-type header says otherwise. */
  readonly text?: string;
}

/** A value, or the reply that refuses the request. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: Reply };

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

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

export function errorReply(status: number, body: ErrorBody, headers?: Readonly<Record<string, string>>): Reply {
  return json(status, body, headers);
}

export function refuse<T>(reply: Reply): Outcome<T> {
  return { ok: false, reply };
}

/** 400 naming the field (and the token) at fault. */
export function invalidReply(field: string, message: string, token?: string, items?: readonly InvalidItem[]): Reply {
  return errorReply(400, { error: 'invalid', message, field, ...(token !== undefined && { token }), ...(items !== undefined && { items }) });
}

export function badRequest<T>(field: string, message: string, token?: string, items?: readonly InvalidItem[]): Outcome<T> {
  return refuse(invalidReply(field, message, token, items));
}

const STATUS_OF: Readonly<Record<Exclude<AdminFailure['kind'], 'invalid'>, number>> = {
  'not-found': 404,
  exists: 409,
  // Refusing to lock the caller out is a permission decision, not bad input.
  lockout: 403,
  conflict: 409,
  // The request was fine; the stored list it would change is not.
  unreadable: 422,
};

/** The reply for a refusal from ListAdmin; `field` is where the request carried the input at fault. */
export function failureReply(failure: AdminFailure, field: string): Reply {
  if (failure.kind !== 'invalid') return errorReply(STATUS_OF[failure.kind], { error: failure.kind, message: failure.message });
  return invalidReply(field, failure.message, failure.items?.[0]?.token, failure.items);
}

export const INTERNAL_ERROR: Reply = errorReply(500, { error: 'internal', message: 'internal error; it was logged' });

export function send(res: ServerResponse, reply: Reply): void {
  const isText = reply.text !== undefined;
  const body = isText ? reply.text! : reply.json === undefined ? '' : JSON.stringify(reply.json);
  res.writeHead(reply.status, {
    ...(body !== '' && { 'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8' }),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...reply.headers,
    'content-length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}
