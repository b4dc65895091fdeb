/**
 * The API's OpenAPI 3.1 document, served at GET /v1/openapi.json. A TS module
 * rather than a .json file so `tsc` carries it into the build; a test holds
 * it and the routes to each other, path for path, method for method and
 * query parameter for query parameter.
 */
import { SCOPES } from '../../policy/index.js';
import { AUDIT_LENGTH } from '../../store/audit-log.js';
import { DEFAULT_AUDIT_LIMIT } from './audit-route.js';
import { AUTHORIZE_METHODS, AUTHORIZE_SCOPES } from './authorize-route.js';
import { JSON_LINES_TYPES } from './body.js';
import { EXPORT_FORMATS } from './export-format.js';
import { ENTRY_STATES, MAX_DESCRIPTION_LENGTH, MAX_VALUE_LENGTH } from './inputs.js';
import { BULK_ACTIONS } from './list-routes.js';

const ref = (kind: 'schemas' | 'parameters' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const jsonBody = (schema: object) => ({ 'application/json': { schema } });
const success = (description: string, schema: object) => ({ description, content: jsonBody(schema) });

const ERROR_RESPONSES = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'TooLarge',
  415: 'UnsupportedMediaType',
  422: 'Unreadable',
  500: 'Internal',
} as const;
type ErrorStatus = keyof typeof ERROR_RESPONSES;

/** Every admin route can answer these: bad input, no or bad token, denied, internal error. */
const ALWAYS: readonly ErrorStatus[] = [400, 401, 403, 500];
const errors = (...more: ErrorStatus[]) =>
  Object.fromEntries([...ALWAYS, ...more].sort().map((status) => [String(status), ref('responses', ERROR_RESPONSES[status])]));

const FORCE = ref('parameters', 'force');
const FILTERS = ['value', 'state', 'description', 'q'].map((name) => ref('parameters', `filter-${name}`));
const TENANT_PARAMETERS = [ref('parameters', 'tenant')];
const SCOPE_PARAMETERS = [ref('parameters', 'tenant'), ref('parameters', 'scope')];

function queryParameter(name: string, description: string, schema: object) {
  return { name, in: 'query', required: false, description, schema };
}

const stringField = (maxLength: number, description: string) => ({ type: 'string', maxLength, description });

const authorizeOperation = (method: string) => ({
  operationId: `authorize${method[0]}${method.slice(1).toLowerCase()}`,
  tags: ['authorization'],
  summary: 'Is the client allowed by a scope of a tenant? (nginx auth_request)',
  description:
    'Answers 204 when the client address is allowed by the scope of the tenant, else 403; never a body. ' +
    'The client address is the socket peer, or the address in the client-address header (default X-Forwarded-For) when the peer is a trusted proxy. ' +
    'Tenant and scope come from the query or from the X-Sipwarden-Tenant / X-Sipwarden-Scope headers; if both are given and differ, the answer is 403. ' +
    'Any failure answers 403 (fail closed). Every method is served alike, since nginx sends the subrequest with the original method. No token is needed.',
  security: [],
  parameters: [
    queryParameter('tenant', 'The tenant (or header X-Sipwarden-Tenant).', { type: 'string' }),
    queryParameter('scope', 'The scope (or header X-Sipwarden-Scope).', { type: 'string', enum: AUTHORIZE_SCOPES }),
    { name: 'X-Sipwarden-Tenant', in: 'header', required: false, schema: { type: 'string' } },
    { name: 'X-Sipwarden-Scope', in: 'header', required: false, schema: { type: 'string', enum: AUTHORIZE_SCOPES } },
    { name: 'X-Forwarded-For', in: 'header', required: false, description: 'Believed only from a trusted proxy.', schema: { type: 'string' } },
  ],
  responses: {
    '204': { description: 'Allowed.', headers: { 'X-Sipwarden-Reason': ref('schemas', 'ReasonHeader') } },
    '403': { description: 'Denied, or the request could not be decided.', headers: { 'X-Sipwarden-Reason': ref('schemas', 'ReasonHeader') } },
  },
});

const ENTRY_FIELDS = {
  value: stringField(MAX_VALUE_LENGTH, 'An IPv4 or IPv6 address or CIDR block, e.g. 203.0.113.0/24.'),
  description: stringField(MAX_DESCRIPTION_LENGTH, 'One line of text; empty clears it.'),
  active: { type: 'boolean', description: 'Only active entries are enforced.' },
};

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'sipwarden admin API',
    version: '1',
    description:
      "Manage each tenant's allowlists (scopes sip, webrtc, admin, recordings) and ask whether an address is allowed. " +
      'Every /v1/tenants route needs a bearer token for that tenant (or for all tenants) and a client address allowed by the admin scope of the tenant. ' +
      'Errors are JSON objects with error, message, and for bad input the field and token at fault.',
  },
  security: [{ bearer: [] }],
  tags: [{ name: 'scopes' }, { name: 'entries' }, { name: 'audit' }, { name: 'authorization' }, { name: 'meta' }],
  paths: {
    '/v1/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['meta'],
        summary: 'This document',
        security: [],
        responses: { '200': success('The OpenAPI document.', { type: 'object' }) },
      },
    },
    '/v1/authorize': Object.fromEntries(AUTHORIZE_METHODS.map((method) => [method.toLowerCase(), authorizeOperation(method)])),
    '/v1/tenants/{tenant}/scopes': {
      parameters: TENANT_PARAMETERS,
      get: {
        operationId: 'listScopes',
        tags: ['scopes'],
        summary: 'Every scope of the tenant with its entries',
        responses: {
          '200': success('The scopes; one whose stored list cannot be read carries error and message instead.', {
            type: 'object',
            required: ['tenant', 'scopes'],
            properties: { tenant: { type: 'string' }, scopes: { type: 'array', items: { oneOf: [ref('schemas', 'List'), ref('schemas', 'UnreadableList')] } } },
          }),
          ...errors(),
        },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}': {
      parameters: SCOPE_PARAMETERS,
      get: {
        operationId: 'showScope',
        tags: ['scopes'],
        summary: 'A scope: enabled or not, the enforced string, and its entries (filtered)',
        parameters: FILTERS,
        responses: { '200': success('The list.', ref('schemas', 'List')), ...errors(422) },
      },
      put: {
        operationId: 'setScopeEnabled',
        tags: ['scopes'],
        summary: 'Switch the scope on or off',
        description: 'Refused (403 lockout) when it would deny your own address, unless force=true; never forced for the admin scope.',
        parameters: [FORCE],
        requestBody: {
          required: true,
          content: jsonBody({ type: 'object', required: ['enabled'], additionalProperties: false, properties: { enabled: { type: 'boolean' } } }),
        },
        responses: {
          '200': success('Switched.', {
            type: 'object',
            required: ['tenant', 'scope', 'enabled', 'rev'],
            properties: { tenant: { type: 'string' }, scope: ref('schemas', 'Scope'), enabled: { type: 'boolean' }, rev: { type: 'integer' } },
          }),
          ...errors(409, 415, 422),
        },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}/check': {
      parameters: SCOPE_PARAMETERS,
      get: {
        operationId: 'checkAddress',
        tags: ['scopes'],
        summary: 'The decision the stored list gives an address, with the entry that matched',
        parameters: [queryParameter('ip', 'The address to check; your own when left out.', { type: 'string' })],
        responses: { '200': success('The decision.', ref('schemas', 'Check')), ...errors(422) },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}/export': {
      parameters: SCOPE_PARAMETERS,
      get: {
        operationId: 'exportScope',
        tags: ['scopes'],
        summary: 'The entries as a file (filtered like showScope)',
        description:
          'csv: the values comma-separated, as PUT …/list takes them; lines: one entry a line, value then description, as POST …/entries:import takes them; json: entries with metadata.',
        parameters: [queryParameter('format', 'File format; json by default.', { type: 'string', enum: EXPORT_FORMATS, default: 'json' }), ...FILTERS],
        responses: {
          '200': {
            description: 'The export, as an attachment.',
            content: {
              'text/plain': { schema: { type: 'string' } },
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { tenant: { type: 'string' }, scope: ref('schemas', 'Scope'), enabled: { type: 'boolean' }, entries: { type: 'array', items: ref('schemas', 'Entry') } },
                },
              },
            },
          },
          ...errors(422),
        },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}/entries': {
      parameters: SCOPE_PARAMETERS,
      post: {
        operationId: 'addEntry',
        tags: ['entries'],
        summary: 'Add one entry (address or CIDR block)',
        parameters: [FORCE],
        requestBody: {
          required: true,
          content: jsonBody({ type: 'object', required: ['value'], additionalProperties: false, properties: { ...ENTRY_FIELDS, active: { ...ENTRY_FIELDS.active, default: true } } }),
        },
        responses: {
          '201': { ...success('Added.', ref('schemas', 'EntryWritten')), headers: { Location: { schema: { type: 'string' }, description: 'The new entry.' } } },
          ...errors(409, 415, 422),
        },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}/entries/{cidr}': {
      parameters: [...SCOPE_PARAMETERS, ref('parameters', 'cidr')],
      get: {
        operationId: 'getEntry',
        tags: ['entries'],
        summary: 'One entry',
        responses: { '200': success('The entry.', ref('schemas', 'Entry')), ...errors(404, 422) },
      },
      patch: {
        operationId: 'editEntry',
        tags: ['entries'],
        summary: 'Change the description or the state of an entry',
        parameters: [FORCE],
        requestBody: {
          required: true,
          content: jsonBody({ type: 'object', minProperties: 1, additionalProperties: false, properties: { description: ENTRY_FIELDS.description, active: ENTRY_FIELDS.active } }),
        },
        responses: { '200': success('Changed.', ref('schemas', 'EntryWritten')), ...errors(404, 409, 415, 422) },
      },
      delete: {
        operationId: 'deleteEntry',
        tags: ['entries'],
        summary: 'Delete an entry',
        parameters: [FORCE],
        responses: { '200': success('Deleted.', ref('schemas', 'Revision')), ...errors(404, 409, 422) },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}/entries:import': {
      parameters: SCOPE_PARAMETERS,
      post: {
        operationId: 'importEntries',
        tags: ['entries'],
        summary: 'Mass insert, validated as a whole',
        description:
          'text/plain: one entry a line or several comma-separated, each a CIDR optionally followed by a description; blank lines and # comments skipped. ' +
          'JSON lines: one object {value, description?, active?} a line. An entry already listed takes the new description and state. ' +
          'Every bad line is reported with its line number and nothing is written, unless skipInvalid=true, which writes the rest and reports what it skipped.',
        parameters: [
          queryParameter('skipInvalid', 'Write the valid lines and report the invalid ones.', { type: 'boolean', default: false }),
          queryParameter('state', 'State of imported entries (JSON lines may say otherwise per line).', { type: 'string', enum: ENTRY_STATES, default: 'active' }),
          FORCE,
        ],
        requestBody: {
          required: true,
          content: { 'text/plain': { schema: { type: 'string' } }, ...Object.fromEntries(JSON_LINES_TYPES.map((type) => [type, { schema: { type: 'string' } }])) },
        },
        responses: {
          '200': success('Imported.', {
            type: 'object',
            required: ['rev', 'imported', 'skipped'],
            properties: { rev: { type: 'integer' }, imported: { type: 'integer' }, skipped: { type: 'array', items: ref('schemas', 'InvalidItem') } },
          }),
          ...errors(409, 413, 415, 422),
        },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}/entries:bulk': {
      parameters: SCOPE_PARAMETERS,
      post: {
        operationId: 'bulkEntries',
        tags: ['entries'],
        summary: 'Enable, disable or delete entries by values, by filter, or all',
        parameters: [FORCE],
        requestBody: {
          required: true,
          content: jsonBody({
            type: 'object',
            required: ['action'],
            additionalProperties: false,
            description: 'Exactly one of values, filter or all.',
            properties: {
              action: { type: 'string', enum: BULK_ACTIONS },
              values: { type: 'array', items: { type: 'string' } },
              filter: ref('schemas', 'Filter'),
              all: { const: true },
            },
          }),
        },
        responses: {
          '200': success('Done.', { type: 'object', required: ['rev', 'affected'], properties: { rev: { type: 'integer' }, affected: { type: 'integer' } } }),
          ...errors(404, 409, 415, 422),
        },
      },
    },
    '/v1/tenants/{tenant}/scopes/{scope}/list': {
      parameters: SCOPE_PARAMETERS,
      put: {
        operationId: 'replaceList',
        tags: ['entries'],
        summary: 'Replace the whole active list in one atomic push',
        description:
          'The comma-separated list becomes the active entries; descriptions of entries that stay are kept, inactive entries are left alone. ' +
          'Switches a scope never configured on. With dryRun=true nothing is written and the diff is returned.',
        parameters: [queryParameter('dryRun', 'Only report what would change.', { type: 'boolean', default: false }), FORCE],
        requestBody: {
          required: true,
          content: {
            'text/plain': { schema: { type: 'string', examples: ['203.0.113.0/24, 198.51.100.7'] } },
            ...jsonBody({ type: 'object', required: ['cidrs'], additionalProperties: false, properties: { cidrs: { type: 'string' } } }),
          },
        },
        responses: {
          '200': success('The diff (and the new revision unless a dry run).', {
            type: 'object',
            required: ['dryRun', 'added', 'removed', 'unchanged'],
            properties: {
              dryRun: { type: 'boolean' },
              rev: { type: 'integer' },
              added: { type: 'array', items: { type: 'string' } },
              removed: { type: 'array', items: { type: 'string' } },
              unchanged: { type: 'array', items: { type: 'string' } },
            },
          }),
          ...errors(409, 413, 415, 422),
        },
      },
    },
    '/v1/tenants/{tenant}/audit': {
      parameters: TENANT_PARAMETERS,
      get: {
        operationId: 'readAudit',
        tags: ['audit'],
        summary: "The tenant's changes, newest first",
        parameters: [
          queryParameter('scope', 'Only changes to this scope.', ref('schemas', 'Scope')),
          queryParameter('limit', 'At most this many records.', { type: 'integer', minimum: 1, maximum: AUDIT_LENGTH, default: DEFAULT_AUDIT_LIMIT }),
        ],
        responses: {
          '200': success('The records.', {
            type: 'object',
            required: ['tenant', 'records'],
            properties: { tenant: { type: 'string' }, records: { type: 'array', items: ref('schemas', 'AuditRecord') } },
          }),
          ...errors(),
        },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'swd_<id>_<secret>', description: 'Created and revoked with the sipwarden CLI.' },
    },
    parameters: {
      tenant: { name: 'tenant', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,252}$' } },
      scope: { name: 'scope', in: 'path', required: true, schema: ref('schemas', 'Scope') },
      cidr: {
        name: 'cidr',
        in: 'path',
        required: true,
        description: 'The entry, percent-encoded (10.0.0.0%2F8); any spelling of it names the same entry.',
        schema: { type: 'string' },
      },
      force: queryParameter('force', 'Override the lockout guard; never for the admin scope.', { type: 'boolean', default: false }),
      'filter-value': queryParameter('value', 'Entries whose value contains this text (192.0.2, /24).', { type: 'string' }),
      'filter-state': queryParameter('state', 'Entries in this state.', { type: 'string', enum: ENTRY_STATES }),
      'filter-description': queryParameter('description', 'Entries whose description contains this text.', { type: 'string' }),
      'filter-q': queryParameter('q', 'Quick search: text in the value, the description or the state.', { type: 'string' }),
    },
    responses: {
      BadRequest: { description: 'Invalid input; field and token name what is wrong, items every bad entry.', content: jsonBody(ref('schemas', 'Error')) },
      Unauthorized: { description: 'No token, or not a valid one.', content: jsonBody(ref('schemas', 'Error')) },
      Forbidden: {
        description: 'The token is for another tenant, the admin allowlist denies your address, or the change would lock you out (error: lockout).',
        content: jsonBody(ref('schemas', 'Error')),
      },
      NotFound: { description: 'No such entry (or route).', content: jsonBody(ref('schemas', 'Error')) },
      Conflict: { description: 'The entry exists already, or the list kept changing under the write.', content: jsonBody(ref('schemas', 'Error')) },
      TooLarge: { description: 'The body is larger than the configured limit.', content: jsonBody(ref('schemas', 'Error')) },
      UnsupportedMediaType: { description: 'The body is not in a media type the route reads.', content: jsonBody(ref('schemas', 'Error')) },
      Unreadable: { description: 'The stored list is malformed (pushed by hand); replace it with PUT …/list.', content: jsonBody(ref('schemas', 'Error')) },
      Internal: { description: 'Internal error; details are in the server log only.', content: jsonBody(ref('schemas', 'Error')) },
    },
    schemas: {
      Scope: { type: 'string', enum: SCOPES },
      ReasonHeader: {
        type: 'string',
        description: 'scope-disabled, matched, no-match, empty-list, bad-source-address, policy-unavailable, or bad-tenant, bad-scope, conflicting-request, error.',
      },
      Error: {
        type: 'object',
        required: ['error', 'message'],
        properties: {
          error: { type: 'string', examples: ['invalid', 'unauthorized', 'forbidden', 'lockout', 'not-found', 'exists', 'conflict', 'unreadable', 'too-large'] },
          message: { type: 'string' },
          field: { type: 'string', description: 'The body field, query or path parameter at fault, or body.' },
          token: { type: 'string', description: 'The offending text.' },
          items: { type: 'array', items: ref('schemas', 'InvalidItem') },
        },
      },
      InvalidItem: {
        type: 'object',
        required: ['token', 'message'],
        properties: {
          line: { type: 'integer', description: '1-based line of an import.' },
          entry: { type: 'integer', description: '0-based position in a submitted list.' },
          token: { type: 'string' },
          message: { type: 'string' },
        },
      },
      Entry: {
        type: 'object',
        required: ['value', 'active'],
        properties: {
          ...ENTRY_FIELDS,
          createdAt: { type: 'string', format: 'date-time' },
          createdBy: { type: 'string' },
          updatedAt: { type: 'string', format: 'date-time' },
          updatedBy: { type: 'string' },
        },
      },
      List: {
        type: 'object',
        required: ['tenant', 'scope', 'configured', 'enabled', 'entries', 'cidrs', 'rev'],
        properties: {
          tenant: { type: 'string' },
          scope: ref('schemas', 'Scope'),
          configured: { type: 'boolean', description: 'False when the scope was never set up (open to everyone).' },
          enabled: { type: 'boolean' },
          entries: { type: 'array', items: ref('schemas', 'Entry'), description: 'Active entries first, in enforced order.' },
          cidrs: { type: 'string', description: 'The enforced string as stored.' },
          rev: { type: 'integer' },
        },
      },
      UnreadableList: {
        type: 'object',
        required: ['tenant', 'scope', 'error', 'message'],
        properties: { tenant: { type: 'string' }, scope: ref('schemas', 'Scope'), error: { const: 'unreadable' }, message: { type: 'string' } },
      },
      Filter: {
        type: 'object',
        additionalProperties: false,
        properties: {
          value: { type: 'string' },
          state: { type: 'string', enum: ENTRY_STATES },
          description: { type: 'string' },
          q: { type: 'string' },
        },
      },
      EntryWritten: { type: 'object', required: ['rev', 'entry'], properties: { rev: { type: 'integer' }, entry: ref('schemas', 'Entry') } },
      Revision: { type: 'object', required: ['rev'], properties: { rev: { type: 'integer' } } },
      Check: {
        type: 'object',
        required: ['tenant', 'scope', 'ip', 'allow', 'reason'],
        properties: {
          tenant: { type: 'string' },
          scope: ref('schemas', 'Scope'),
          ip: { type: 'string' },
          allow: { type: 'boolean' },
          reason: { type: 'string', enum: ['scope-disabled', 'matched', 'no-match', 'empty-list', 'bad-source-address', 'policy-unavailable'] },
          entry: { type: 'object', properties: { value: { type: 'string' }, description: { type: 'string' } } },
        },
      },
      ListSummary: {
        type: 'object',
        required: ['enabled', 'active', 'inactive'],
        properties: { enabled: { type: 'boolean' }, active: { type: 'integer' }, inactive: { type: 'integer' }, cidrs: { type: 'string' } },
      },
      AuditRecord: {
        type: 'object',
        required: ['tenant', 'scope', 'at', 'actor', 'action', 'before', 'after', 'added', 'removed', 'truncated'],
        properties: {
          tenant: { type: 'string' },
          scope: ref('schemas', 'Scope'),
          at: { type: 'string', format: 'date-time' },
          actor: { type: 'string' },
          address: { type: 'string' },
          action: { type: 'string', examples: ['add', 'edit', 'delete', 'import', 'replace', 'bulk-disable', 'enable-scope'] },
          rev: { type: 'integer' },
          before: { oneOf: [ref('schemas', 'ListSummary'), { type: 'null' }] },
          after: ref('schemas', 'ListSummary'),
          added: { type: 'array', items: { type: 'string' } },
          removed: { type: 'array', items: { type: 'string' } },
          truncated: { type: 'boolean' },
        },
      },
    },
  },
} as const;
