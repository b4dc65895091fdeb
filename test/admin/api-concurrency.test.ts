import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, ApiStack, path } from './api-harness.js';

let stack: ApiStack;
let apis: ApiClient[];

beforeAll(async () => {
  stack = await ApiStack.start();
  // Two API processes, each with its own Redis connection: they meet only in Redis.
  apis = [await stack.api(), await stack.api({}, await stack.separateAdmin())];
});

afterAll(() => stack.close());

describe('admin API: concurrent writers', () => {
  it('loses no update when many clients add to one list at once through two API processes', async () => {
    const token = await stack.token('busy');
    const writers = 60;
    const answers = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        apis[i % 2]!.call('POST', path('busy', 'sip', '/entries'), { token, json: { value: `192.0.2.${i}`, description: `writer ${i}` } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(writers).fill(201));
    // Every answer reports a revision of its own: no two writes were based on the same version.
    expect(new Set(answers.map((a) => a.body.rev)).size).toBe(writers);

    const stored = await stack.stored('busy', 'sip');
    expect(stored.rev).toBe(writers);
    expect(stored.entries.map((e) => `${e.value} ${e.description}`).sort()).toEqual(
      Array.from({ length: writers }, (_, i) => `192.0.2.${i} writer ${i}`).sort(),
    );
    const audit = await stack.admin.audit('busy');
    expect(audit.flatMap((r) => r.added).sort()).toEqual(Array.from({ length: writers }, (_, i) => `192.0.2.${i}`).sort());
  });

  it('applies parallel adds, edits, deletes and imports each exactly once', async () => {
    const token = await stack.token('mixed');
    const seed = Array.from({ length: 20 }, (_, i) => `198.51.100.${i}`).join('\n');
    expect((await apis[0]!.call('POST', path('mixed', 'sip', '/entries:import'), { token, text: seed })).status).toBe(200);

    const requests = [
      ...Array.from({ length: 10 }, (_, i) => ['PATCH', `/entries/198.51.100.${i}`, { json: { description: `edited ${i}` } }] as const),
      ...Array.from({ length: 10 }, (_, i) => ['DELETE', `/entries/198.51.100.${10 + i}`, {}] as const),
      ...Array.from({ length: 10 }, (_, i) => ['POST', '/entries', { json: { value: `203.0.113.${i}` } }] as const),
      ...Array.from({ length: 5 }, (_, i) => ['POST', '/entries:import', { text: `192.0.2.${2 * i}\n192.0.2.${2 * i + 1}` }] as const),
    ];
    const answers = await Promise.all(requests.map(([method, rest, body], i) => apis[i % 2]!.call(method, path('mixed', 'sip', rest), { token, ...body })));
    expect(answers.map((a) => a.status).filter((s) => s >= 300)).toEqual([]);

    const stored = await stack.stored('mixed', 'sip');
    expect(stored.entries.map((e) => e.value).sort()).toEqual(
      [
        ...Array.from({ length: 10 }, (_, i) => `198.51.100.${i}`),
        ...Array.from({ length: 10 }, (_, i) => `203.0.113.${i}`),
        ...Array.from({ length: 10 }, (_, i) => `192.0.2.${i}`),
      ].sort(),
    );
    expect(stored.entries.filter((e) => e.description?.startsWith('edited')).length).toBe(10);
    expect(stored.rev).toBe(1 + requests.length);
  });
});
