/**
 * The console's one way to the server: the same /v1 API every portal
 * calls, authenticated by the session cookie the browser sends by itself.
 * A change carries the session's CSRF token, which lives in this module's
 * memory only (read again from GET /v1/session when the page loads), never
 * in browser storage or a URL.
 */
import type { ErrorBody } from '../admin/http/errors.js';

/** A refusal from the API, in its one error shape. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.message);
  }
}

let csrfToken: string | undefined;
let sessionEnded: ((message: string) => void) | undefined;

/** Tells `ended` when a tenant request is answered 401: the session is over (idle, signed out elsewhere, token revoked). */
export function whenSessionEnds(ended: (message: string) => void): void {
  sessionEnded = ended;
}

/** The CSRF token of the session now open (undefined once signed out). */
export function holdCsrf(token: string | undefined): void {
  csrfToken = token;
}

export interface Body {
  /** Sent as JSON. */
  readonly json?: unknown;
  /** Sent as text/plain. */
  readonly text?: string;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** `path` with the query parameters that are set. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

export async function call<T>(method: string, path: string, body: Body = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let content: string | undefined;
  if (body.json !== undefined) {
    headers['content-type'] = 'application/json';
    content = JSON.stringify(body.json);
  } else if (body.text !== undefined) {
    headers['content-type'] = 'text/plain; charset=utf-8';
    content = body.text;
  }
  const response = await fetch(path, { method, headers, credentials: 'same-origin', ...(content !== undefined && { body: content }) });
  const isJson = response.headers.get('content-type')?.startsWith('application/json') ?? false;
  const parsed: unknown = isJson ? await response.json() : undefined;
  if (!response.ok) {
    const fallback = { error: 'http', message: `the server answered ${response.status} ${response.statusText}` };
    const failure = new ApiFailure(response.status, (parsed as ErrorBody | undefined) ?? fallback);
    if (response.status === 401 && path.startsWith(TENANTS)) sessionEnded?.(failure.message);
    throw failure;
  }
  return parsed as T;
}

const TENANTS = '/v1/tenants/';

/** The path of a tenant's resource: `/v1/tenants/acme/scopes/sip/entries`. */
export const tenantPath = (tenant: string, rest: string) => `${TENANTS}${encodeURIComponent(tenant)}${rest}`;

/** What a failure says to the admin: the API's message, or what went wrong on the way. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiFailure) return err.body.message;
  return err instanceof Error ? `the request failed: ${err.message}` : 'the request failed';
}
