/**
 * Request bodies: read only after the caller is authenticated (the token is
 * checked in onRequest, before a byte is read), accepted only in the media
 * types the route's body schema names (415 before reading), bounded by the
 * server's bodyLimit (413), and decoded as strict UTF-8. A route without a
 * body schema takes no body: whatever is sent is left unread, so an nginx
 * subrequest carrying the original request's Content-Type is answered as
 * any other.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, invalid } from './errors.js';
import { JSON_LINES_TYPES, JSON_TYPE, TEXT_TYPE, acceptedTypes } from './schemas.js';

/** The media type without parameters, lower case; empty when none was sent. */
export function mediaTypeOf(request: FastifyRequest): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

const takesBody = (request: FastifyRequest) => request.routeOptions.schema?.body !== undefined;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw invalid('body', 'the body is not valid UTF-8');
  }
}

/** JSON text parsed; `field` names the text in the 400 for one that is not JSON. */
export function parseJson(source: string, field: string): unknown {
  try {
    return JSON.parse(source);
  } catch (err) {
    throw invalid(field, `not valid JSON: ${(err as Error).message}`);
  }
}

export function readBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request) => {
    if (!takesBody(request)) return;
    const accepted = acceptedTypes(request.routeOptions.schema?.body);
    const type = mediaTypeOf(request);
    if (accepted.includes(type)) return;
    const message = `send the body as ${accepted.join(' or ')} (Content-Type was ${type === '' ? 'missing' : JSON.stringify(type)})`;
    throw new ApiError(415, { error: 'unsupported-media-type', message, field: 'content-type', token: type });
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([TEXT_TYPE, ...JSON_LINES_TYPES], { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => (takesBody(request) ? text(body) : undefined));
  app.addContentTypeParser(JSON_TYPE, { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => (takesBody(request) ? parseJson(text(body), 'body') : undefined));
  app.addContentTypeParser('*', (_request, payload, done) => {
    payload.resume();
    done(null, undefined);
  });
}
