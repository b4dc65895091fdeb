/**
 * Request bodies: read only after the caller is authenticated, bounded in
 * size, decoded as strict UTF-8, and accepted only in the media types the
 * route understands.
 */
import type { IncomingMessage } from 'node:http';
import { type Shape, type ShapeValue, object } from './fields.js';
import { type Outcome, badRequest, errorReply, ok, refuse } from './reply.js';

export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain';
/** JSON lines: one JSON object per line. */
export const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl'] as const;

export interface Body {
  /** The media type without parameters, lower case. */
  readonly type: string;
  readonly text: string;
}

/** Reads the body of a request whose media type is one of `accepted`. */
export type BodyReader = (accepted: readonly string[]) => Promise<Outcome<Body>>;

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function tooLarge<T>(maxBytes: number): Outcome<T> {
  return refuse(errorReply(413, { error: 'too-large', message: `the body is larger than ${maxBytes} bytes` }));
}

/** The body's bytes; past `maxBytes` the rest is read and dropped, so the client still gets the 413. */
function readBounded(req: IncomingMessage, maxBytes: number): Promise<Outcome<Buffer>> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      resolve(tooLarge(maxBytes));
    };
    req.on('data', onData);
    req.once('end', () => resolve(ok(Buffer.concat(chunks))));
    req.once('error', () => resolve(badRequest('body', 'the upload was interrupted')));
  });
}

export function bodyReader(req: IncomingMessage, maxBytes: number): BodyReader {
  return async (accepted) => {
    const type = mediaType(req);
    if (!accepted.includes(type)) {
      const message = `send the body as ${accepted.join(' or ')} (Content-Type was ${type === '' ? 'missing' : JSON.stringify(type)})`;
      return refuse(errorReply(415, { error: 'unsupported-media-type', message, field: 'content-type', token: type }));
    }
    // Refuse early on a declared length; Node discards the unread body.
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) return tooLarge(maxBytes);
    const bytes = await readBounded(req, maxBytes);
    if (!bytes.ok) return bytes;
    try {
      return ok({ type, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.value) });
    } catch {
      return badRequest('body', 'the body is not valid UTF-8');
    }
  };
}

/** JSON text holding an object with exactly the fields of `shape`; `field` names the text in errors. */
export function jsonObject<S extends Shape>(text: string, shape: S, field = 'body'): Outcome<ShapeValue<S>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return badRequest(field, `not valid JSON: ${(err as Error).message}`);
  }
  return object(shape)(value, '');
}

/** A JSON object body with exactly the fields of `shape`. */
export async function readJson<S extends Shape>(read: BodyReader, shape: S): Promise<Outcome<ShapeValue<S>>> {
  const body = await read([JSON_TYPE]);
  return body.ok ? jsonObject(body.value.text, shape) : body;
}
