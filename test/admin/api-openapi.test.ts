import { beforeAll, describe, expect, it } from 'vitest';
import { apiForTests } from './api-harness.js';

const env = apiForTests();

type Node = Record<string, any>;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** What a path item may hold besides its operations. */
const PATH_ITEM_FIELDS = ['summary', 'description', 'servers', 'parameters'];

let doc: Node;

beforeAll(async () => {
  const served = await env.api.call('GET', '/v1/openapi.json');
  expect(served.status).toBe(200);
  doc = served.body;
});

function resolve(node: Node): Node {
  if (typeof node.$ref !== 'string') return node;
  const [hash, components, kind = '', name = ''] = node.$ref.split('/');
  expect([hash, components], node.$ref).toEqual(['#', 'components']);
  const target = doc.components[kind]?.[name];
  expect(target, node.$ref).toBeDefined();
  return target;
}

function operations(): Array<{ method: string; path: string; parameters: Node[]; operation: Node }> {
  return Object.entries(doc.paths as Node).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => HTTP_METHODS.includes(key))
      .map((method) => ({
        method: method.toUpperCase(),
        path,
        operation: item[method],
        parameters: [...(item.parameters ?? []), ...(item[method].parameters ?? [])].map(resolve),
      })),
  );
}

const templateParams = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
/** The routes behind a token: a tenant's, and the edge-wide ban list. */
const isTokenRoute = (path: string) => path.startsWith('/v1/tenants/') || path.startsWith('/v1/bans');
const sample: Record<string, string> = { tenant: 'acme', scope: 'sip', cidr: '192.0.2.1', address: '192.0.2.1' };
const concrete = (path: string) => path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(sample[name]!));

describe('OpenAPI document', () => {
  it('is served without a token, as OpenAPI 3.1, the same document the interactive reference reads', async () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'sipwarden admin API', version: '1' });
    expect((await env.api.call('GET', '/v1/docs/json')).body).toEqual(doc);
  });

  it('documents every route the server serves, and the server serves every route it documents', () => {
    const served = env.api.api.routes;
    // The reference's and the console's own pages and assets are the only routes left out.
    expect(served.filter((r) => r.hidden).every((r) => r.path.startsWith('/v1/docs') || r.path.startsWith('/console'))).toBe(true);
    const implemented = served.filter((r) => !r.hidden).map((r) => `${r.method} ${r.path}`).sort();
    const documented = operations().map((o) => `${o.method} ${o.path}`).sort();
    expect(documented).toEqual(implemented);
    expect(documented.length).toBeGreaterThan(15);
  });

  it('has a live route behind every documented operation', async () => {
    const token = await env.stack.token('*');
    for (const { method, path } of operations()) {
      const answer = await env.api.call(method, concrete(path), { token });
      expect(answer.status, `${method} ${path}`).not.toBe(405);
      if (answer.status === 404) expect(answer.body.message, `${method} ${path}`).not.toMatch(/^no such resource/);
    }
  });

  it('is structurally an OpenAPI 3.1 document: operations with responses, declared path parameters, references that resolve', () => {
    for (const [path, item] of Object.entries(doc.paths as Node)) {
      expect(path).toMatch(/^\/v1\//);
      expect(Object.keys(item).filter((key) => !HTTP_METHODS.includes(key) && !PATH_ITEM_FIELDS.includes(key)), path).toEqual([]);
    }
    for (const { method, path, parameters, operation } of operations()) {
      const where = `${method} ${path}`;
      expect(Object.keys(operation.responses ?? {}).length, where).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(operation.responses as Node)) {
        expect(status, where).toMatch(/^[1-5]\d\d$/);
        expect(typeof resolve(response).description, `${where} ${status}`).toBe('string');
      }
      for (const parameter of parameters) {
        expect(['query', 'header', 'path', 'cookie'], where).toContain(parameter.in);
        expect(typeof parameter.name, where).toBe('string');
        expect(parameter.schema, `${where} ${parameter.name}`).toBeDefined();
      }
      const pathParams = parameters.filter((p) => p.in === 'path');
      expect(pathParams.map((p) => p.name).sort(), where).toEqual(templateParams(path).sort());
      expect(pathParams.every((p) => p.required === true), where).toBe(true);
      if (operation.requestBody) expect(Object.keys(resolve(operation.requestBody).content).length, where).toBeGreaterThan(0);
    }
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node !== null && typeof node === 'object') {
        const record = node as Node;
        if (typeof record.$ref === 'string') refs.push(record.$ref);
        Object.values(record).forEach(walk);
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const $ref of refs) resolve({ $ref });
    const ids = operations().map((o) => o.operation.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents the error responses: the shape, and which operation answers which', () => {
    const error = doc.components.schemas.Error;
    expect(error.required).toEqual(['error', 'message']);
    expect(Object.keys(error.properties)).toEqual(['error', 'message', 'field', 'token', 'items']);
    const errorRef = { $ref: '#/components/schemas/Error' };
    for (const { method, path, operation } of operations().filter((o) => isTokenRoute(o.path))) {
      const where = `${method} ${path}`;
      const statuses = Object.keys(operation.responses);
      expect(statuses, where).toEqual(expect.arrayContaining(['400', '401', '403', '429', '500']));
      if (operation.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['413', '415']));
      for (const status of statuses.filter((s) => s >= '400')) expect(operation.responses[status].content['application/json'].schema, `${where} ${status}`).toEqual(errorRef);
      expect(operation.responses['429'].headers['Retry-After'], where).toBeDefined();
      expect(operation.security, where).toBeUndefined();
    }
    for (const { method, operation } of operations().filter((o) => o.path === '/v1/authorize')) {
      expect(Object.keys(operation.responses).sort(), method).toEqual(['204', '403']);
      expect(operation.responses['403'].headers['X-Sipwarden-Reason'], method).toBeDefined();
      expect(operation.security, method).toEqual([]);
    }
  });

  it('documents exactly the query parameters a route reads: any other is refused with a 400 naming it', async () => {
    const token = await env.stack.token('*');
    // A body each operation takes, so that the query string is what is at fault.
    const bodies: Record<string, { json?: unknown; text?: string }> = {
      setScopeEnabled: { json: { enabled: false } },
      addEntry: { json: { value: '192.0.2.1' } },
      editEntry: { json: { active: true } },
      importEntries: { text: '192.0.2.1' },
      bulkEntries: { json: { action: 'disable', all: true } },
      replaceList: { text: '' },
      setCountries: { json: { enabled: false } },
      allowDenied: { json: {} },
    };
    for (const { method, path, parameters, operation } of operations().filter((o) => isTokenRoute(o.path))) {
      const where = `${method} ${path}`;
      const names = parameters.filter((p) => p.in === 'query').map((p) => p.name);
      const body = bodies[operation.operationId] ?? {};
      expect(operation.requestBody === undefined, where).toBe(Object.keys(body).length === 0);
      const refused = await env.api.call(method, `${concrete(path)}?unknownParameter=1`, { token, ...body });
      expect({ where, status: refused.status, field: refused.body?.field, token: refused.body?.token }).toEqual({ where, status: 400, field: 'unknownParameter', token: 'unknownParameter' });
      expect(refused.body.message).toBe(`unknown query parameter "unknownParameter"; expected ${names.join(', ') || 'none'}`);
    }
  });
});
