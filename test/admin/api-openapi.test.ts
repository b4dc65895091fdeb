import { describe, expect, it } from 'vitest';
import { OPENAPI_DOCUMENT } from '../../src/admin/http/openapi.js';
import { ROUTES } from '../../src/admin/http/routes.js';
import { apiForTests } from './api-harness.js';

const env = apiForTests();



type Node = Record<string, any>;
const doc = JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)) as Node;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function resolve(node: Node): Node {
  if (typeof node.$ref !== 'string') return node;
  const [hash, components, kind = '', name = ''] = node.$ref.split('/');
  expect([hash, components]).toEqual(['#', 'components']);
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

describe('OpenAPI document', () => {
  it('is served without a token, as OpenAPI 3.1, exactly as kept in the repo', async () => {
    const served = await env.api.call('GET', '/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body.openapi).toBe('3.1.0');
    expect(served.body).toEqual(doc);
  });

  it('describes every route the server implements, and nothing else', () => {
    const implemented = ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort();
    const documented = operations().map((o) => `${o.method} ${o.path}`).sort();
    expect(documented).toEqual(implemented);
  });

  it('documents exactly the query parameters each route reads, and every path parameter', () => {
    for (const { method, path, parameters } of operations()) {
      const route = ROUTES.find((r) => r.path === path && r.methods.includes(method))!;
      const names = (where: string) => parameters.filter((p) => p.in === where).map((p) => p.name).sort();
      expect(names('query'), `${method} ${path}`).toEqual([...route.query].sort());
      expect(names('path'), `${method} ${path}`).toEqual(templateParams(path).sort());
    }
  });

  it('resolves every reference and names every operation once', () => {
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
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has a live route behind every documented operation', async () => {
    const token = await env.stack.token('*');
    const sample: Record<string, string> = { tenant: 'acme', scope: 'sip', cidr: '192.0.2.1' };
    for (const { method, path } of operations()) {
      const url = path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(sample[name]!));
      const answer = await env.api.call(method, url, { token });
      expect(answer.status, `${method} ${path}`).not.toBe(405);
      if (answer.status === 404) expect(answer.body.message, `${method} ${path}`).not.toMatch(/^no such resource/);
    }
  });
});
