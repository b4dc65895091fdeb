import { describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../src/store/audit-log.js';
import { ACME_SIP, entries, redisForTests } from './fixtures.js';

const env = redisForTests();

describe('RedisListWriter', () => {
  it('writes a list and reads it back with metadata, under the documented keys', async () => {
    const id = { tenant: 'writeback.example', scope: 'sip' as const };
    const result = await env.admin.writer.write(
      id,
      { enabled: true, entries: [{ value: '203.0.113.9/24', description: 'HQ', active: true }, { value: '198.51.100.7', active: false }] },
      { actor: 'alice', now: '2026-11-23T10:00:00.000Z' },
    );
    expect(result).toMatchObject({ ok: true, rev: 1 });
    const plain = env.redis.client();
    expect(await plain.get('sipwarden:{writeback.example}:sip:cidrs')).toBe('203.0.113.0/24');
    expect(await plain.get('sipwarden:{writeback.example}:sip:enabled')).toBe('1');
    expect(await plain.get('sipwarden:{writeback.example}:sip:rev')).toBe('1');
    expect(JSON.parse((await plain.hget('sipwarden:{writeback.example}:sip:entries', '198.51.100.7'))!)).toEqual({
      active: false,
      createdAt: '2026-11-23T10:00:00.000Z',
      createdBy: 'alice',
      updatedAt: '2026-11-23T10:00:00.000Z',
      updatedBy: 'alice',
    });
    plain.disconnect();
    const read = await env.admin.writer.readState(id);
    expect(read.ok && read.state.entries.map((e) => [e.value, e.active, e.description])).toEqual([
      ['203.0.113.0/24', true, 'HQ'],
      ['198.51.100.7', false, undefined],
    ]);
  });

  it('refuses an invalid list with every bad entry named and writes nothing', async () => {
    const id = { tenant: 'invalid.example', scope: 'sip' as const };
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.0/24') }, { actor: 'alice' });
    const before = await env.admin.source.read(id);
    const result = await env.admin.writer.write(
      id,
      { enabled: true, entries: entries('10.0.0.0/8', '010.0.0.1', '', '10.0.0.0/40') },
      { actor: 'mallory' },
    );
    expect(result.ok).toBe(false);
    if (!result.ok && result.reason === 'invalid') {
      expect(result.errors.map((e) => [e.entry, e.problem])).toEqual([
        [1, 'leading-zero'],
        [2, 'empty-token'],
        [3, 'prefix-out-of-range'],
      ]);
      expect(result.message).toContain('010.0.0.1');
    }
    expect(await env.admin.source.read(id)).toEqual(before);
  });

  it('refuses a write made from a stale read (compare-and-set)', async () => {
    const id = { tenant: 'cas.example', scope: 'webrtc' as const };
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.1') }, { actor: 'a' });
    const read = await env.admin.writer.readState(id);
    if (!read.ok) throw new Error(read.error);
    await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.2') }, { actor: 'b', base: read.state });
    const stale = await env.admin.writer.write(id, { enabled: true, entries: entries('192.0.2.3') }, { actor: 'c', base: read.state });
    expect(stale).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await env.redis.client().get('sipwarden:{cas.example}:webrtc:cidrs')).toBe('192.0.2.2');
  });

  it('loses no update when many writers add entries at once', async () => {
    const id = { tenant: 'concurrent.example', scope: 'sip' as const };
    const writers = Array.from({ length: 20 }, (_, i) =>
      env.admin.writer.update(id, (state) => ({ enabled: true, entries: [...state.entries, { value: `192.0.2.${i}`, active: true }] }), { actor: `w${i}` }, 50),
    );
    const results = await Promise.all(writers);
    expect(results.every((r) => r.ok)).toBe(true);
    const read = await env.admin.writer.readState(id);
    expect(read.ok && read.state.entries.map((e) => e.value).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `192.0.2.${i}`).sort());
    expect(read.ok && read.state.rev).toBe(20);
  });

  it('never lets a reader see half an update', async () => {
    const id = { tenant: 'atomic.example', scope: 'sip' as const };
    const listA = Array.from({ length: 2000 }, (_, i) => ({ value: `10.0.${i >> 8}.${i & 255}`, description: 'A', active: true }));
    const listB = Array.from({ length: 2000 }, (_, i) => ({ value: `10.1.${i >> 8}.${i & 255}`, description: 'B', active: true }));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) await env.admin.writer.write(id, { enabled: true, entries: i % 2 ? listB : listA }, { actor: 'w' });
      writing = false;
    })();
    let reads = 0;
    while (writing) {
      const raw = await env.admin.source.read(id);
      if (raw.cidrs === null) continue;
      const fromCidrs = raw.cidrs.startsWith('10.0.') ? 'A' : 'B';
      const descriptions = new Set(Object.values(raw.entries).map((m) => (JSON.parse(m) as { description: string }).description));
      expect([...descriptions]).toEqual([fromCidrs]);
      expect(raw.cidrs.split(',').every((v) => v.startsWith(fromCidrs === 'A' ? '10.0.' : '10.1.'))).toBe(true);
      reads++;
    }
    await writer;
    expect(reads).toBeGreaterThan(5);
  });

  it('publishes a change notification with tenant, scope and revision', async () => {
    const subscriber = env.redis.client();
    const messages: string[] = [];
    await subscriber.subscribe('sipwarden:changes');
    subscriber.on('message', (_c, m: string) => messages.push(m));
    const result = await env.admin.writer.write({ tenant: 'notify.example', scope: 'admin' }, { enabled: false, entries: [] }, { actor: 'a' });
    await new Promise((r) => setTimeout(r, 100));
    expect(messages.map((m) => JSON.parse(m))).toEqual([{ tenant: 'notify.example', scope: 'admin', rev: result.ok && result.rev }]);
    subscriber.disconnect();
  });

  it('shows a list pushed by hand with one plain command, entries without description', async () => {
    const plain = env.redis.client();
    await plain.set('sipwarden:{hand.example}:sip:cidrs', '203.0.113.0/24, 198.51.100.7');
    const read = await env.admin.writer.readState({ tenant: 'hand.example', scope: 'sip' });
    expect(read.ok && read.state).toMatchObject({
      configured: true,
      enabled: true,
      entries: [
        { value: '203.0.113.0/24', active: true },
        { value: '198.51.100.7', active: true },
      ],
    });
    expect(read.ok && read.state.entries[0]!.description).toBeUndefined();
    plain.disconnect();
  });
});

describe('RedisListWriter patches the entries hash', () => {
  it('leaves the hash exactly as a full rewrite would, sending only what changed', async () => {
    const id = { tenant: 'patch.example', scope: 'sip' as const };
    const plain = env.redis.client();
    const initial = Array.from({ length: 50 }, (_, i) => ({ value: `192.0.2.${i}`, description: `host ${i}`, active: i % 5 !== 0 }));
    await env.admin.writer.write(id, { enabled: true, entries: initial }, { actor: 'a', now: '2026-11-23T10:00:00.000Z' });
    // A description changed, an entry removed, one added, one made inactive: through read-modify-write.
    const result = await env.admin.writer.update(
      id,
      (state) => ({
        enabled: true,
        entries: [
          ...state.entries
            .filter((e) => e.value !== '192.0.2.7')
            .map((e) => (e.value === '192.0.2.3' ? { ...e, description: 'renamed' } : e.value === '192.0.2.4' ? { ...e, active: false } : e)),
          { value: '198.51.100.1', description: 'new', active: true },
        ],
      }),
      { actor: 'b', now: '2026-11-23T11:00:00.000Z' },
    );
    expect(result.ok).toBe(true);
    const hash = await plain.hgetall('sipwarden:{patch.example}:sip:entries');
    const read = await env.admin.writer.readState(id);
    if (!read.ok || !result.ok) throw new Error('write or read failed');
    expect(Object.keys(hash).sort()).toEqual(read.state.entries.map((e) => e.value).sort());
    expect(Object.keys(hash)).not.toContain('192.0.2.7');
    expect(JSON.parse(hash['192.0.2.3']!)).toMatchObject({ description: 'renamed', createdBy: 'a', updatedBy: 'b' });
    expect(JSON.parse(hash['192.0.2.4']!)).toMatchObject({ active: false, updatedBy: 'b' });
    expect(JSON.parse(hash['192.0.2.1']!)).toMatchObject({ description: 'host 1', updatedBy: 'a', updatedAt: '2026-11-23T10:00:00.000Z' });
    expect(JSON.parse(hash['198.51.100.1']!)).toMatchObject({ description: 'new', createdBy: 'b' });
    expect((await plain.get('sipwarden:{patch.example}:sip:cidrs'))!.split(',')).not.toContain('192.0.2.4');
    plain.disconnect();
  });
});

describe('audit records', () => {
  it('are stored as sent, with the rev in front: an empty diff stays an empty array', async () => {
    const id = { tenant: 'audit-raw.example', scope: 'sip' as const };
    const audit = { action: 'edit' };
    await env.admin.writer.write(id, { enabled: true, entries: [{ value: '192.0.2.0/24', active: true }] }, { actor: 'a', audit });
    const base = await env.admin.writer.readState(id);
    if (!base.ok) throw new Error(base.error);
    // A description changed: nothing added to or removed from what is enforced.
    await env.admin.writer.write(id, { enabled: true, entries: [{ value: '192.0.2.0/24', description: 'HQ', active: true }] }, { actor: 'a', base: base.state, audit });
    const plain = env.redis.client();
    const [newest] = await plain.lrange('sipwarden:{audit-raw.example}:audit', 0, 0);
    plain.disconnect();
    expect(newest).toMatch(/^\{"rev":2,"tenant":"audit-raw\.example",/);
    expect(JSON.parse(newest!)).toMatchObject({ rev: 2, action: 'edit', added: [], removed: [], before: { active: 1 }, after: { active: 1, cidrs: '192.0.2.0/24' } });
  });

  it('read back with arrays where an older commit.lua wrote {} for an empty one', async () => {
    const plain = env.redis.client();
    const old = { tenant: 'audit-old.example', scope: 'sip', at: '2026-11-23T10:00:00.000Z', actor: 'a', action: 'edit', rev: 4, before: null, after: { enabled: true, active: 1, inactive: 0 }, truncated: false };
    await plain.lpush('sipwarden:{audit-old.example}:audit', JSON.stringify({ ...old, added: {}, removed: ['192.0.2.0/24'] }), JSON.stringify({ ...old, added: {}, removed: {} }));
    plain.disconnect();
    const records = await new RedisAuditLog(env.admin.client, env.admin.keys).read('audit-old.example');
    expect(records.map((r) => [r.added, r.removed])).toEqual([
      [[], []],
      [[], ['192.0.2.0/24']],
    ]);
  });
});
