/**
 * Replacing a whole list, without a Redis: the diff and the change it makes
 * as pure functions, and through ListAdmin on the in-memory stores (a dry run
 * reports exactly what the push then does, and writes nothing).
 */
import { describe, expect, it } from 'vitest';
import { ListAdmin } from '../../src/admin/list-admin.js';
import { replacement, replacementValues } from '../../src/admin/replace-diff.js';
import type { ListId } from '../../src/store/keys.js';
import type { ListEntry, ListState } from '../../src/store/list-state.js';
import { memoryStores } from './support/memory-stores.js';

const SIP: ListId = { tenant: 'acme', scope: 'sip' };
const setup = { name: 'setup', force: true };

const entry = (value: string, active: boolean, description?: string): ListEntry => ({ value, active, description });

function stateOf(entries: readonly ListEntry[], configured = true, enabled = true): ListState {
  const cidrs = entries.filter((e) => e.active).map((e) => e.value).join(',');
  return { tenant: 'acme', scope: 'sip', configured, enabled, entries, cidrs, rev: 3, fingerprint: 'f', countries: { enabled: false, codes: [] } };
}

describe('replacementValues', () => {
  it('gives canonical values, each once, in order', () => {
    expect(replacementValues('192.0.2.9/24, 198.51.100.7,\n192.0.2.0/24, 2001:DB8::/32,')).toEqual(['192.0.2.0/24', '198.51.100.7', '2001:db8::/32']);
    expect(replacementValues('')).toEqual([]);
  });

  it('names every bad entry with its 0-based position', () => {
    expect(replacementValues('192.0.2.0/24, 127.1, 10.0.0.0/8, fe80::1%eth0')).toMatchObject({
      kind: 'invalid',
      items: [
        { entry: 1, token: '127.1' },
        { entry: 3, token: 'fe80::1%eth0' },
      ],
    });
  });
});

describe('replacement', () => {
  const before = stateOf([entry('192.0.2.1', true, 'kept'), entry('192.0.2.2', true, 'goes'), entry('192.0.2.3', false, 'parked'), entry('192.0.2.4', false, 'woken')]);

  it('diffs what is enforced: added, removed, unchanged, in the order given', () => {
    const { diff } = replacement(before, ['198.51.100.0/24', '192.0.2.1', '192.0.2.4']);
    expect(diff).toEqual({ added: ['198.51.100.0/24', '192.0.2.4'], removed: ['192.0.2.2'], unchanged: ['192.0.2.1'] });
  });

  it('keeps descriptions of entries that stay, leaves inactive ones not named alone, wakes a named inactive one', () => {
    const { next } = replacement(before, ['198.51.100.0/24', '192.0.2.1', '192.0.2.4']);
    expect(next).toEqual({
      enabled: true,
      entries: [
        { value: '198.51.100.0/24', active: true },
        { value: '192.0.2.1', active: true, description: 'kept' },
        { value: '192.0.2.4', active: true, description: 'woken' },
        { value: '192.0.2.3', active: false, description: 'parked' },
      ],
    });
  });

  it('switches on a scope never set up, and leaves a switched-off one off', () => {
    expect(replacement(stateOf([], false, false), ['192.0.2.1']).next.enabled).toBe(true);
    expect(replacement(stateOf([entry('192.0.2.1', true)], true, false), ['192.0.2.1']).next.enabled).toBe(false);
  });

  it('is empty when the list is pushed as it is', () => {
    expect(replacement(before, ['192.0.2.1', '192.0.2.2']).diff).toEqual({ added: [], removed: [], unchanged: ['192.0.2.1', '192.0.2.2'] });
  });
});

describe('ListAdmin.replace on the in-memory stores', () => {
  it('reports on a dry run exactly what the push then does, writing nothing until the push', async () => {
    const stores = memoryStores();
    const admin = new ListAdmin(stores);
    await admin.importEntries(setup, SIP, [{ line: 1, input: { value: '192.0.2.1', description: 'kept', active: true } }, { line: 2, input: { value: '192.0.2.2', active: true } }], false);
    const writes = stores.lists.writes;
    const dry = await admin.replace(setup, SIP, '192.0.2.1, 198.51.100.0/24', true);
    expect(dry).toEqual({ ok: true, value: { added: ['198.51.100.0/24'], removed: ['192.0.2.2'], unchanged: ['192.0.2.1'] } });
    expect(stores.lists.writes).toBe(writes);
    const pushed = await admin.replace(setup, SIP, '192.0.2.1, 198.51.100.0/24', false);
    expect(pushed).toEqual({ ok: true, value: { ...(dry.ok && dry.value), rev: 2 } });
    const shown = await admin.show(SIP);
    expect(shown.ok && shown.value.entries.map((e) => [e.value, e.active, e.description])).toEqual([
      ['192.0.2.1', true, 'kept'],
      ['198.51.100.0/24', true, undefined],
    ]);
    expect((await stores.audit.read('acme', 1))[0]).toMatchObject({ action: 'replace', rev: 2, added: ['198.51.100.0/24'], removed: ['192.0.2.2'] });
  });

  it('computes the diff again when another writer got in between its read and its write', async () => {
    const stores = memoryStores();
    const admin = new ListAdmin(stores);
    await admin.addEntry(setup, SIP, { value: '192.0.2.1', active: true });
    // Another admin writes right after the replacement reads the list, once.
    const { lists } = stores;
    const read = lists.readState.bind(lists);
    let interfered = false;
    lists.readState = async (id) => {
      const state = await read(id);
      if (!interfered) {
        interfered = true;
        await new ListAdmin(stores).addEntry(setup, SIP, { value: '192.0.2.2', active: true });
      }
      return state;
    };
    const pushed = await admin.replace(setup, SIP, '192.0.2.1', false);
    expect(pushed).toEqual({ ok: true, value: { added: [], removed: ['192.0.2.2'], unchanged: ['192.0.2.1'], rev: 3 } });
  });
});
