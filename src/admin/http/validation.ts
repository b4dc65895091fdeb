/**
 * Request validation: the route schemas compiled by Ajv, stricter than
 * fastify's defaults. Nothing is removed (`removeAdditional: false`, every
 * object schema `additionalProperties: false`), so an unknown field or a
 * misspelt query parameter (`dryrun`) is refused rather than dropped; a dry
 * run must not turn into a write. Bodies are JSON and are never coerced
 * (`"true"` is not a boolean); query strings and path parameters are text
 * and are coerced to the types their schemas name.
 *
 * Ajv's errors become our error shape: 400 naming the field and the token.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler, FastifySchemaValidationError, FastifyServerOptions } from 'fastify';
import { isIpAddress } from '../../policy/index.js';
import { ONE_LINE_PATTERN, ONE_LINE_WORDS } from '../entry-text.js';
import { type ApiError, invalid, shownToken } from './errors.js';

/** Descriptions, filter texts: see entry-text.ts. */
export { ONE_LINE_PATTERN };

/** An address as the policy engine reads one; the same parser decides every request. */
export const IP_ADDRESS_FORMAT = 'ip-address';

/** The part of a request a schema validates: `body`, `querystring`, `params` or `headers`. */
type RequestPart = Parameters<NonNullable<FastifyServerOptions['schemaErrorFormatter']>>[1];

function strictAjv(coerceTypes: boolean): Ajv {
  const options: Options = { coerceTypes, removeAdditional: false, useDefaults: true, allErrors: false, verbose: true, strict: true };
  const ajv = new Ajv(options);
  ajv.addFormat(IP_ADDRESS_FORMAT, { type: 'string', validate: isIpAddress });
  return ajv;
}

const forBody = strictAjv(false);
const forText = strictAjv(true);

export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) => (httpPart === 'body' ? forBody : forText).compile(schema);

/** A validator for JSON values that are not a request part (a line of a JSON-lines import). */
export function jsonValidator<T>(schema: object): ValidateFunction<T> {
  return forBody.compile<T>(schema);
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'an array',
  integer: 'a whole number',
  number: 'a number',
  null: 'null',
};

const FORMAT_WORDS: Readonly<Record<string, string>> = { [IP_ADDRESS_FORMAT]: 'an IPv4 or IPv6 address' };

const PATTERN_WORDS: Readonly<Record<string, string>> = { [ONE_LINE_PATTERN]: ONE_LINE_WORDS };

/** What an unknown key is called in messages, by the part of the request it is in. */
const NOUNS: Readonly<Record<RequestPart | 'line', string>> = {
  body: 'field',
  line: 'field',
  querystring: 'query parameter',
  params: 'path parameter',
  headers: 'header',
};

/** `/filter/state` → `filter.state`; `/values/1` → `values[1]`; the root is `root`. */
function fieldAt(instancePath: string, root: string, key?: string): string {
  const segments = instancePath.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (key !== undefined) segments.push(key);
  if (segments.length === 0) return root;
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function typeWords(error: ErrorObject): string {
  const schema = error.parentSchema ?? {};
  if (schema.type === 'integer' && typeof schema.minimum === 'number' && typeof schema.maximum === 'number') {
    return `a whole number from ${schema.minimum} to ${schema.maximum}`;
  }
  return [error.params.type as string | string[]].flat().map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

/** Ajv's first error as our 400: the field, what it must be, and the token as sent. */
export function refusalOf(error: ErrorObject, part: RequestPart | 'line'): ApiError {
  const root = part === 'line' ? 'line' : 'body';
  const field = fieldAt(error.instancePath, root);
  const token = error.data === undefined ? undefined : shownToken(error.data);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const expected = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return invalid(fieldAt(error.instancePath, root, key), `unknown ${NOUNS[part]} ${JSON.stringify(key)}; expected ${expected.join(', ') || 'none'}`, key);
    }
    case 'required': {
      const missing = fieldAt(error.instancePath, root, String(params.missingProperty));
      return invalid(missing, `${missing} is required`);
    }
    case 'type':
      // The query string parser makes a parameter given twice an array: ambiguous, so refused.
      if (part === 'querystring' && Array.isArray(error.data)) {
        return invalid(field, `query parameter ${field} is given more than once`, shownToken(error.data.at(-1)));
      }
      return invalid(field, `${field} must be ${typeWords(error)}`, token);
    case 'minimum':
    case 'maximum':
      return invalid(field, `${field} must be ${typeWords({ ...error, params: { type: 'number' } })}`, token);
    case 'enum':
      return invalid(field, `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`, token);
    case 'const':
      return invalid(field, `${field} must be ${JSON.stringify(params.allowedValue)} when given`, token);
    case 'maxLength':
      return invalid(field, `${field} is longer than ${String(params.limit)} characters`, token);
    case 'maxItems':
      return invalid(field, `${field} has more than ${String(params.limit)} items`);
    case 'pattern':
      return invalid(field, `${field} must be ${PATTERN_WORDS[String(params.pattern)] ?? `text matching ${String(params.pattern)}`}`, token);
    case 'format':
      return invalid(field, `${field} must be ${FORMAT_WORDS[String(params.format)] ?? `in the format ${String(params.format)}`}`, token);
    default:
      return invalid(field, `${field} ${error.message ?? 'is not valid'}`, token);
  }
}

/** fastify's schemaErrorFormatter: the errors are Ajv's, with `allErrors` off one at a time. */
export function schemaErrorFormatter(errors: FastifySchemaValidationError[], part: RequestPart): Error {
  return refusalOf(errors[0] as ErrorObject, part);
}
