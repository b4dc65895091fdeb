/**
 * The API's schemas, in TypeBox: each route's params, query string, body and
 * responses are built from these. The same schema validates a request, types
 * its handler, serializes the answer and becomes the OpenAPI document, so
 * none of them can drift from another.
 *
 * Shapes a response shares (an entry, a list, an error) are components: added
 * to the server once under their name, referred to by `$ref`, and shown in
 * the document's `components/schemas`.
 */
import { type Static, type TSchema, type TUnsafe, Type } from 'typebox';
import { type DecisionReason, MAX_NAME_LENGTH, SCOPES } from '../../policy/index.js';
import { NAME_STATES } from '../../dns/index.js';
import { AUDIT_LENGTH } from '../../store/audit-log.js';
import type { EntryStateFilter } from '../entry-filter.js';
import type { BulkAction } from '../list-admin.js';
import { EXPORT_FORMATS } from '../list-export.js';
import { MAX_DESCRIPTION_LENGTH } from '../entry-text.js';
import { IP_ADDRESS_FORMAT, ONE_LINE_PATTERN } from './validation.js';

/** An entry as written: a DNS name is the longest (253 characters). */
export const MAX_VALUE_LENGTH = MAX_NAME_LENGTH;
export const MAX_BULK_VALUES = 100_000;
export const DEFAULT_AUDIT_LIMIT = 100;
export const DEFAULT_EXPORT_FORMAT = 'json';
export const DEFAULT_IMPORT_STATE = 'active';
/** An entry added without saying is active. */
export const NEW_ENTRY_ACTIVE = true;
export const ENTRY_STATES = ['active', 'inactive'] as const satisfies readonly EntryStateFilter[];
export const BULK_ACTIONS = ['enable', 'disable', 'delete'] as const satisfies readonly BulkAction[];
export const DECISION_REASONS = [
  'scope-disabled',
  'matched',
  'country-allowed',
  'no-match',
  'empty-list',
  'bad-source-address',
  'policy-unavailable',
] as const satisfies readonly DecisionReason[];

const COMPONENTS: TSchema[] = [];

/** Every shared schema, each with its `$id`, for `fastify.addSchema`. */
export const components = (): readonly TSchema[] => COMPONENTS;

/** Registers `schema` as a component named `id`; the result refers to it and types as it. */
function component<T extends TSchema>(id: string, schema: T): TUnsafe<Static<T>> {
  COMPONENTS.push({ ...schema, $id: id });
  return Type.Unsafe<Static<T>>(Type.Ref(`${id}#`));
}

/** An object that refuses fields it does not name. */
const strictObject = <P extends Parameters<typeof Type.Object>[0]>(properties: P, description?: string) =>
  Type.Object(properties, { additionalProperties: false, ...(description !== undefined && { description }) });

/** An array of a response: read-only, as the values the handlers return. */
const arrayOf = <T extends TSchema>(items: T, description?: string) => Type.Immutable(Type.Array(items, description === undefined ? {} : { description }));

/** One line of text without control characters. */
const oneLine = (maxLength: number, description: string) => Type.String({ maxLength, pattern: ONE_LINE_PATTERN, description });

export const Scope = Type.Enum(SCOPES, { type: 'string', description: 'A scope: the SIP edge (sip, webrtc), a portal login (admin), recording links (recordings).' });

// ---- inputs

export const TenantParams = strictObject({
  tenant: Type.String({ description: 'The tenant: letters, digits and . _ @ -, starting with a letter or digit, at most 253 characters.' }),
});
export const ScopeParams = strictObject({ tenant: TenantParams.properties.tenant, scope: Scope });
export const EntryParams = strictObject({
  ...ScopeParams.properties,
  cidr: Type.String({ description: 'The entry, percent-encoded (10.0.0.0%2F8); any spelling of it names the same entry.' }),
});

/** A query flag; given as true or false. */
const flag = (description: string) => Type.Optional(Type.Boolean({ default: false, description }));

/** A route that reads no query parameter: any given is refused. */
export const NoQuery = strictObject({});

const FORCE = { force: flag('Override the lockout guard; never for the admin scope.') };
export const ForceQuery = strictObject(FORCE);

const FILTER = {
  value: Type.Optional(oneLine(MAX_VALUE_LENGTH, 'Entries whose value contains this text (192.0.2, /24).')),
  state: Type.Optional(Type.Enum(ENTRY_STATES, { type: 'string', description: 'Entries in this state.' })),
  description: Type.Optional(oneLine(MAX_DESCRIPTION_LENGTH, 'Entries whose description contains this text.')),
  q: Type.Optional(oneLine(MAX_DESCRIPTION_LENGTH, 'Quick search: text in the value, the description or the state.')),
};
export const ShowQuery = strictObject({
  ...FILTER,
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Skip this many matching entries (paging).' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, description: 'Show at most this many matching entries; all when left out.' })),
});
export const ExportQuery = strictObject({ format: Type.Optional(Type.Enum(EXPORT_FORMATS, { type: 'string', default: DEFAULT_EXPORT_FORMAT, description: 'File format.' })), ...FILTER });
export const CheckQuery = strictObject({
  ip: Type.Optional(Type.String({ maxLength: 64, format: IP_ADDRESS_FORMAT, description: 'The address to check; your own when left out.' })),
});
export const AuditQuery = strictObject({
  scope: Type.Optional(Scope),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_LENGTH, default: DEFAULT_AUDIT_LIMIT, description: 'At most this many records.' })),
});
export const ImportQuery = strictObject({
  skipInvalid: flag('Write the valid lines and report the invalid ones.'),
  state: Type.Optional(Type.Enum(ENTRY_STATES, { type: 'string', default: DEFAULT_IMPORT_STATE, description: 'State of imported entries (JSON lines may say otherwise per line).' })),
  ...FORCE,
});
export const ReplaceQuery = strictObject({ dryRun: flag('Only report what would change.'), ...FORCE });

const ENTRY_FIELDS = {
  value: oneLine(MAX_VALUE_LENGTH, 'An IPv4 or IPv6 address, a CIDR block or a DNS name (allowing the addresses it resolves to), e.g. 203.0.113.0/24 or agent7.dyn.example.net.'),
  description: Type.Optional(oneLine(MAX_DESCRIPTION_LENGTH, 'One line of text; empty clears it.')),
};
const ACTIVE = 'Only active entries are enforced.';

export const NewEntry = strictObject({ ...ENTRY_FIELDS, active: Type.Optional(Type.Boolean({ default: NEW_ENTRY_ACTIVE, description: ACTIVE })) });
/** A line of a JSON-lines import; `active` defaults to the import's state. */
export const EntryLine = strictObject({ ...ENTRY_FIELDS, active: Type.Optional(Type.Boolean({ description: ACTIVE })) }, 'One entry.');
export const EntryPatch = strictObject(
  { description: ENTRY_FIELDS.description, active: Type.Optional(Type.Boolean({ description: ACTIVE })) },
  'Give description, active or both.',
);
export const Enabled = strictObject({ enabled: Type.Boolean() });

/** Checked by the country-set parser, which names every bad code at once. */
const COUNTRY_CODE = Type.String({ maxLength: 16, description: 'ISO 3166-1 alpha-2, any case.' });
export const CountriesChange = strictObject(
  {
    countries: Type.Optional(
      Type.Union([Type.String({ maxLength: 1024, examples: ['DE,FR'] }), Type.Array(COUNTRY_CODE, { maxItems: 260 })], {
        description: 'The allowed countries: comma-separated or an array of ISO 3166-1 alpha-2 codes, any case; empty for none. Left out: kept.',
      }),
    ),
    enabled: Type.Optional(Type.Boolean({ description: 'The countries\' switch; left out: kept.' })),
  },
  'The new country set, its switch, or both.',
);
export const BulkRequest = strictObject(
  {
    action: Type.Enum(BULK_ACTIONS, { type: 'string' }),
    values: Type.Optional(Type.Array(oneLine(MAX_VALUE_LENGTH, 'An entry.'), { maxItems: MAX_BULK_VALUES })),
    filter: Type.Optional(strictObject(FILTER)),
    all: Type.Optional(Type.Literal(true)),
  },
  'Exactly one of values, filter or all.',
);

export const JSON_TYPE = 'application/json';
export const TEXT_TYPE = 'text/plain';
/** JSON lines: one JSON object per line. */
export const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl'] as const;

/**
 * A body accepted in several media types, one schema each; it types as any
 * of them. A request in another media type is answered 415.
 */
export function bodyIn<M extends Record<string, TSchema>>(byType: M): TUnsafe<{ [K in keyof M]: Static<M[K]> }[keyof M]> {
  const content = Object.fromEntries(Object.entries(byType).map(([type, schema]) => [type, { schema }]));
  return Type.Unsafe({ content } as TSchema);
}

/** The media types a route's body schema accepts: those it names, else JSON. */
export function acceptedTypes(body: unknown): readonly string[] {
  const content = (body as { content?: object } | undefined)?.content;
  return content === undefined ? [JSON_TYPE] : Object.keys(content);
}

export const ImportBody = bodyIn({
  [TEXT_TYPE]: Type.String({ description: 'One entry a line or several comma-separated, each a CIDR optionally followed by a description; blank lines and # comments skipped.' }),
  ...Object.fromEntries(JSON_LINES_TYPES.map((type) => [type, Type.String({ description: 'One object {value, description?, active?} a line.' })])),
  [JSON_TYPE]: strictObject(
    {
      tenant: Type.Optional(Type.String()),
      scope: Type.Optional(Scope),
      enabled: Type.Optional(Type.Boolean({ description: 'Not applied: an import leaves the scope switched as it is.' })),
      entries: Type.Array(Type.Unknown(), {
        description: 'Entries as the json export writes them, {value, active, description?, createdAt?, createdBy?, updatedAt?, updatedBy?}; each is written with its own state (or the state asked for when it names none). Stamps are written anew.',
      }),
    },
    'A json export (GET …/export?format=json), from this list or another.',
  ),
});
export const ReplaceBody = bodyIn({
  [TEXT_TYPE]: Type.String({ examples: ['203.0.113.0/24, 198.51.100.7'] }),
  [JSON_TYPE]: strictObject({ cidrs: Type.String({ description: 'The comma-separated list.' }) }),
});

// ---- outputs

export const InvalidItem = component(
  'InvalidItem',
  Type.Object({
    line: Type.Optional(Type.Integer({ description: '1-based line of an import.' })),
    entry: Type.Optional(Type.Integer({ description: '0-based position in a submitted list.' })),
    token: Type.String(),
    message: Type.String(),
  }),
);

const ErrorSchema = component(
  'Error',
  Type.Object(
    {
      error: Type.String({ examples: ['invalid', 'unauthorized', 'forbidden', 'lockout', 'not-found', 'exists', 'conflict', 'unreadable', 'too-large'] }),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'The body field, query or path parameter at fault, or body.' })),
      token: Type.Optional(Type.String({ description: 'The offending text.' })),
      items: Type.Optional(arrayOf(InvalidItem)),
    },
    { description: 'Every refusal: error names the kind, message says why; bad input also names the field and the token at fault.' },
  ),
);

const ERRORS = {
  400: 'Invalid input; field and token name what is wrong, items every bad entry.',
  401: 'No token, or not a valid one.',
  403: 'The token is for another tenant, the admin allowlist denies your address, or the change would lock you out (error: lockout).',
  404: 'No such entry.',
  409: 'The entry exists already, or the list kept changing under the write.',
  413: 'The body is larger than the configured limit.',
  415: 'The body is not in a media type the route reads.',
  422: 'The stored list is malformed (pushed by hand); replace it with PUT …/list.',
  429: 'Too many failed token checks from your address; wait for Retry-After seconds.',
  500: 'Internal error; details are in the server log only.',
} as const;
export type ErrorStatus = keyof typeof ERRORS;

const HEADERS_OF: Partial<Record<ErrorStatus, Record<string, TSchema>>> = {
  401: { 'WWW-Authenticate': Type.String({ description: 'Bearer realm="sipwarden", with error="invalid_token" for a bad token.' }) },
  429: { 'Retry-After': Type.Integer({ description: 'Seconds until token checks from your address are served again.' }) },
};

/** Every route behind a token can answer these: bad input, no or bad token, denied, too many bad tokens, internal error. */
const TOKEN_ROUTE: readonly ErrorStatus[] = [400, 401, 403, 429, 500];

/** The error responses of a route behind a token: the common ones and `more`. */
export function errorResponses(...more: ErrorStatus[]) {
  const statuses = [...new Set([...TOKEN_ROUTE, ...more])].sort();
  const responses = statuses.map((status) => [status, { ...ErrorSchema, description: ERRORS[status], ...(HEADERS_OF[status] && { headers: HEADERS_OF[status] }) }]);
  return Object.fromEntries(responses) as { [S in ErrorStatus]?: typeof ErrorSchema };
}

const timestamp = Type.Optional(Type.String({ format: 'date-time' }));

export const Resolution = component(
  'Resolution',
  Type.Object(
    {
      state: Type.Enum(NAME_STATES, {
        type: 'string',
        description: 'resolved: the last resolution answered; grace: failing, its last addresses still allowed; failed: failing with nothing allowed; pending: not resolved yet.',
      }),
      addresses: arrayOf(Type.String(), 'The addresses it resolves to now, canonical, IPv4 first.'),
      resolvedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When a resolution last answered; absent if none did.' })),
      failure: Type.Optional(Type.String({ description: 'While failing: what, e.g. nxdomain or "A timeout, AAAA servfail".' })),
      failingSince: Type.Optional(Type.String({ format: 'date-time' })),
    },
    { description: 'DNS name entries only: what the name resolves to, resolved once for this answer with the API server\'s resolver.' },
  ),
);

export const Entry = component(
  'Entry',
  Type.Object({
    value: Type.String({ description: 'An IPv4 or IPv6 address, a CIDR block or a DNS name, canonical (a name in lower case).' }),
    active: Type.Boolean({ description: ACTIVE }),
    description: Type.Optional(Type.String()),
    createdAt: timestamp,
    createdBy: Type.Optional(Type.String()),
    updatedAt: timestamp,
    updatedBy: Type.Optional(Type.String()),
    resolution: Type.Optional(Resolution),
  }),
);

const CountrySetting = component(
  'CountrySetting',
  Type.Object(
    { enabled: Type.Boolean(), codes: arrayOf(Type.String({ pattern: '^[A-Z]{2}$' }), 'Upper case, sorted.') },
    { description: 'The allowed countries and their switch: when on, an address in one of them is allowed beside the list (country-allowed).' },
  ),
);

export const List = component(
  'List',
  Type.Object({
    tenant: Type.String(),
    scope: Scope,
    configured: Type.Boolean({ description: 'False when the scope was never set up (open to everyone).' }),
    enabled: Type.Boolean(),
    entries: arrayOf(Entry, 'Active entries first, in enforced order: the page asked for (offset, limit) of those matching the filter.'),
    total: Type.Integer({ description: 'How many entries match the filter, on all pages together.' }),
    cidrs: Type.String({ description: 'The enforced string as stored.' }),
    rev: Type.Integer(),
    countries: CountrySetting,
  }),
);

export const CountriesSet = Type.Object({ tenant: Type.String(), scope: Scope, countries: CountrySetting, rev: Type.Integer() }, { description: 'Set.' });

export const UnreadableList = component(
  'UnreadableList',
  Type.Object({ tenant: Type.String(), scope: Scope, error: Type.Literal('unreadable'), message: Type.String() }),
);

export const Scopes = Type.Object(
  { tenant: Type.String(), scopes: arrayOf(Type.Union([List, UnreadableList])) },
  { description: 'The scopes; one whose stored list cannot be read carries error and message instead.' },
);

export const EntryWritten = component('EntryWritten', Type.Object({ rev: Type.Integer(), entry: Entry }));
export const Revision = component('Revision', Type.Object({ rev: Type.Integer() }));

export const SwitchedScope = Type.Object({ tenant: Type.String(), scope: Scope, enabled: Type.Boolean(), rev: Type.Integer() }, { description: 'Switched.' });

export const Check = component(
  'Check',
  Type.Object(
    {
      tenant: Type.String(),
      scope: Scope,
      ip: Type.String(),
      allow: Type.Boolean(),
      reason: Type.Enum(DECISION_REASONS, { type: 'string' }),
      entry: Type.Optional(
        Type.Object(
          {
            value: Type.String(),
            description: Type.Optional(Type.String()),
            resolved: Type.Optional(
              Type.Object(
                { name: Type.String(), address: Type.String() },
                { description: 'When the entry is a DNS name: the name and which of the addresses it resolves to now is the one checked.' },
              ),
            ),
          },
          { description: 'The most specific entry that matched (an address or block before a name).' },
        ),
      ),
      country: Type.Optional(Type.String({ description: 'The country that decided (country-allowed), or the source\'s country beside a no-match when the set is on.' })),
      addressCountry: Type.Optional(Type.String({ description: 'The address\'s country by the country data, whether or not the scope\'s countries are on.' })),
      failing: Type.Optional(
        arrayOf(
          Type.Object({ name: Type.String(), state: Type.Enum(['grace', 'failed'] as const, { type: 'string' }), failure: Type.Optional(Type.String()) }),
          'Active DNS names of the list that fail to resolve now: a failed one matches nothing, one in grace its last addresses.',
        ),
      ),
    },
    { description: 'The decision.' },
  ),
);

export const ExportedList = Type.Object({ tenant: Type.String(), scope: Scope, enabled: Type.Boolean(), entries: arrayOf(Entry) });

export const Imported = Type.Object({ rev: Type.Integer(), imported: Type.Integer(), skipped: arrayOf(InvalidItem) }, { description: 'Imported.' });
export const BulkDone = Type.Object({ rev: Type.Integer(), affected: Type.Integer() }, { description: 'Done.' });
export const Replaced = Type.Object(
  {
    dryRun: Type.Boolean(),
    rev: Type.Optional(Type.Integer({ description: 'The new revision; absent on a dry run.' })),
    added: arrayOf(Type.String()),
    removed: arrayOf(Type.String()),
    unchanged: arrayOf(Type.String()),
  },
  { description: 'The diff (and the new revision unless a dry run).' },
);

const ListSummary = component(
  'ListSummary',
  Type.Object({
    enabled: Type.Boolean(),
    active: Type.Integer(),
    inactive: Type.Integer(),
    cidrs: Type.Optional(Type.String()),
    countries: Type.Optional(Type.String({ description: 'The country set, when the scope has one.' })),
    countriesEnabled: Type.Optional(Type.Boolean()),
  }),
);

const AuditRecord = component(
  'AuditRecord',
  Type.Object({
    tenant: Type.String(),
    scope: Scope,
    at: Type.String({ format: 'date-time' }),
    actor: Type.String(),
    address: Type.Optional(Type.String()),
    action: Type.String({ examples: ['add', 'edit', 'delete', 'import', 'replace', 'bulk-disable', 'enable-scope', 'set-countries', 'enable-countries'] }),
    rev: Type.Optional(Type.Integer()),
    before: Type.Union([ListSummary, Type.Null()], { description: 'Null for a write made without reading the list first.' }),
    after: ListSummary,
    added: arrayOf(Type.String()),
    removed: arrayOf(Type.String()),
    truncated: Type.Boolean(),
  }),
);

export const AuditPage = Type.Object({ tenant: Type.String(), records: arrayOf(AuditRecord) }, { description: 'The records, newest first.' });

// ---- console sessions

export const SignIn = strictObject({ token: Type.String({ maxLength: 128, description: 'An API token (sipwarden token create).' }) }, 'The token to open a console session with; it is not kept.');

export const SessionInfo = Type.Object(
  {
    tenant: Type.String({ description: 'The tenant the session manages, or * for all.' }),
    tokenId: Type.String(),
    tokenName: Type.String(),
    address: Type.String({ description: 'Your address, as the lockout guard and the admin allowlist judge it.' }),
    csrf: Type.String({ description: 'Send it as X-CSRF-Token with every change made in this session.' }),
    idleSeconds: Type.Integer({ description: 'The session ends after this long without a request.' }),
  },
  { description: 'The session; its id is in the HttpOnly cookie only.' },
);

export const DENIED_ORDERS = ['recent', 'busiest'] as const;
export const DeniedQuery = strictObject({
  scope: Type.Optional(Scope),
  order: Type.Optional(Type.Enum(DENIED_ORDERS, { type: 'string', default: 'recent', description: 'recent: last denied first; busiest: most denials first.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 100, description: 'At most this many sources.' })),
});
const DeniedSource = component(
  'DeniedSource',
  Type.Object(
    {
      scope: Scope,
      address: Type.String(),
      count: Type.Integer({ description: 'Denials recorded (added up from every edge, at the flush interval).' }),
      firstSeen: Type.String({ format: 'date-time' }),
      lastSeen: Type.String({ format: 'date-time' }),
      method: Type.String({ description: 'The last denied request\'s method.' }),
      transport: Type.String(),
      userAgent: Type.Optional(Type.String({ description: 'The last denied request\'s User-Agent, printable ASCII, at most 128 characters.' })),
      domain: Type.Optional(Type.String({ description: 'The domain the last denied request was for.' })),
    },
    { description: 'A source the edges denied for the tenant.' },
  ),
);
export const DeniedPage = Type.Object({ tenant: Type.String(), sources: arrayOf(DeniedSource) }, { description: 'The denied sources.' });
export const DeniedParams = strictObject({ tenant: TenantParams.properties.tenant, address: Type.String({ maxLength: 64, description: 'The denied address.' }) });
export const AllowDeniedBody = strictObject(
  {
    scope: Type.Optional(Scope),
    description: Type.Optional(oneLine(MAX_DESCRIPTION_LENGTH, 'Default: how often and when it was denied, and its User-Agent.')),
  },
  'Which list (may be left out when the address was denied in one scope only) and the entry\'s description.',
);
export const AllowedDenied = Type.Object(
  { tenant: Type.String(), scope: Scope, rev: Type.Integer(), entry: Entry },
  { description: 'The address added to the list, and dropped from the denied sources.' },
);

export const BanParams = strictObject({ address: Type.String({ maxLength: 64, description: 'The banned address, as GET /v1/bans lists it.' }) });
const Ban = component(
  'Ban',
  Type.Object(
    {
      address: Type.String(),
      until: Type.Optional(Type.String({ format: 'date-time', description: 'When the ban ends; absent for one added to the set by hand (banned until removed).' })),
      at: Type.Optional(Type.String({ format: 'date-time', description: 'When it was made.' })),
      reason: Type.Optional(Type.String({ examples: ['denied 101 times within 10 s'] })),
      tenant: Type.Optional(Type.String({ description: 'The tenant whose denials crossed the threshold.' })),
      scope: Type.Optional(Scope),
      denials: Type.Optional(Type.Integer()),
      by: Type.Optional(Type.String({ description: 'The edge (or admin) that made it.' })),
    },
    { description: 'A banned source: answered 403 before any check, or dropped by the kernel ban sink, for every tenant.' },
  ),
);
export const BanPage = Type.Object({ bans: arrayOf(Ban, 'By address.') }, { description: 'The banned sources.' });
export const Unbanned = Type.Object({ address: Type.String() }, { description: "The ban is lifted: each edge checks the source's requests again from its next sweep, the kernel ban sink included." });
