/**
 * The console session's cookie and CSRF header. The cookie is HttpOnly (no
 * script reads it), SameSite=Strict (no other site's page sends it),
 * Secure when the console is served over TLS (directly, or by a trusted
 * proxy that says so in X-Forwarded-Proto), scoped to the whole origin
 * (the console's pages and the /v1 API it calls), and without Max-Age: the
 * session's idle expiry is kept by the server.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';

export const SESSION_COOKIE = 'sipwarden_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Methods that change nothing and need no CSRF token. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A session id as ConsoleSessions makes them: 43 base64url characters. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** The session id the request's cookie carries, if it carries a well-formed one. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const [name, value] = pair.split('=', 2).map((s) => s.trim());
    if (name === SESSION_COOKIE && value !== undefined && SESSION_ID.test(value)) return value;
  }
  return undefined;
}

function overTls(request: FastifyRequest): boolean {
  if ((request.raw.socket as Partial<TLSSocket>).encrypted === true) return true;
  return request.client.forwardedBy !== undefined && request.headers['x-forwarded-proto'] === 'https';
}

function cookie(request: FastifyRequest, value: string, extra: string): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${overTls(request) ? '; Secure' : ''}${extra}`;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, id: string): void {
  reply.header('set-cookie', cookie(request, id, ''));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', cookie(request, '', '; Max-Age=0'));
}
