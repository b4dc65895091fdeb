/**
 * Readers that check request input (JSON bodies and query strings) field by
 * field and refuse with a 400 naming the field and the token. Unknown fields
 * are refused too: a misspelt `dryrun` must not turn a dry run into a write.
 */
import { type Outcome, badRequest, ok } from './reply.js';

export type Reader<T> = (value: unknown, field: string) => Outcome<T>;

export type Shape = Readonly<Record<string, Reader<unknown>>>;
export type ShapeValue<S extends Shape> = { -readonly [K in keyof S]: S[K] extends Reader<infer T> ? T : never };

const MAX_SHOWN = 64;

/** The token as shown in an error: text as sent (shortened), anything else as JSON. */
export function shownToken(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

const missing = <T>(field: string): Outcome<T> => badRequest(field, `${field} is required`);

export function optional<T>(reader: Reader<T>): Reader<T | undefined> {
  return (value, field) => (value === undefined ? ok(undefined) : reader(value, field));
}

export function withDefault<T>(reader: Reader<T>, fallback: T): Reader<T> {
  return (value, field) => (value === undefined ? ok(fallback) : reader(value, field));
}

/**
 * A string; unless `multiline`, one line without control characters, since
 * descriptions end up in one-per-line exports and in logs.
 */
export function text(maxLength: number, multiline = false): Reader<string> {
  return (value, field) => {
    if (value === undefined) return missing(field);
    if (typeof value !== 'string') return badRequest(field, `${field} must be a string`, shownToken(value));
    if (value.length > maxLength) return badRequest(field, `${field} is longer than ${maxLength} characters`, shownToken(value));
    if (!multiline && /[\u0000-\u001f\u007f]/.test(value)) return badRequest(field, `${field} must be one line without control characters`, shownToken(value));
    return ok(value);
  };
}

export const boolean: Reader<boolean> = (value, field) => {
  if (value === undefined) return missing(field);
  return typeof value === 'boolean' ? ok(value) : badRequest(field, `${field} must be true or false`, shownToken(value));
};

export function oneOf<T extends string>(choices: readonly T[]): Reader<T> {
  return (value, field) => {
    if (value === undefined) return missing(field);
    if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return ok(value as T);
    return badRequest(field, `${field} must be one of ${choices.join(', ')}`, shownToken(value));
  };
}

export function arrayOf<T>(item: Reader<T>, maxItems: number): Reader<T[]> {
  return (value, field) => {
    if (value === undefined) return missing(field);
    if (!Array.isArray(value)) return badRequest(field, `${field} must be an array`, shownToken(value));
    if (value.length > maxItems) return badRequest(field, `${field} has more than ${maxItems} items`);
    const items: T[] = [];
    for (const [i, element] of value.entries()) {
      const read = item(element, `${field}[${i}]`);
      if (!read.ok) return read;
      items.push(read.value);
    }
    return ok(items);
  };
}

/** An object with exactly the fields of `shape`; `noun` names what an unknown key is in messages. */
export function object<S extends Shape>(shape: S, noun = 'field'): Reader<ShapeValue<S>> {
  return (value, field) => {
    const name = field === '' ? 'body' : field;
    if (value === undefined) return missing(name);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return badRequest(name, `${name} must be a JSON object`, shownToken(value));
    const path = (key: string) => (field === '' ? key : `${field}.${key}`);
    const record = value as Record<string, unknown>;
    const unknown = Object.keys(record).find((key) => !Object.hasOwn(shape, key));
    if (unknown !== undefined) return badRequest(path(unknown), `unknown ${noun} ${JSON.stringify(unknown)}; expected ${Object.keys(shape).join(', ') || 'none'}`, unknown);
    const result: Record<string, unknown> = {};
    for (const [key, reader] of Object.entries(shape)) {
      const read = reader(record[key], path(key));
      if (!read.ok) return read;
      result[key] = read.value;
    }
    return ok(result as ShapeValue<S>);
  };
}

/** Query flags: `true`/`false` (or `1`/`0`); anything else is refused rather than guessed. */
export const flag: Reader<boolean> = withDefault((value, field) => {
  if (value === 'true' || value === '1') return ok(true);
  if (value === 'false' || value === '0') return ok(false);
  return badRequest(field, `${field} must be true or false`, shownToken(value));
}, false);

/** A whole number in [min, max] given as query text. */
export function integer(min: number, max: number): Reader<number> {
  return (value, field) => {
    if (value === undefined) return missing(field);
    const number = Number(value);
    if (typeof value !== 'string' || !/^\d+$/.test(value) || number < min || number > max) {
      return badRequest(field, `${field} must be a whole number from ${min} to ${max}`, shownToken(value));
    }
    return ok(number);
  };
}

/** Reads a query string with `shape`; a parameter given twice is refused, as it is ambiguous. */
export function readQuery<S extends Shape>(params: URLSearchParams, shape: S): Outcome<ShapeValue<S>> {
  const record: Record<string, string> = {};
  for (const [key, value] of params) {
    if (Object.hasOwn(record, key)) return badRequest(key, `query parameter ${key} is given more than once`, value);
    record[key] = value;
  }
  return object(shape, 'query parameter')(record, '');
}
