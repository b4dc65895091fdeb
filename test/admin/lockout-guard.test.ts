/**
 * The lockout guard, without a Redis: through ListAdmin on the in-memory
 * stores (the same rules the CLI and the API run), and as the pure check.
 */
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/admin/lockout-guard.js';
import { lockoutRefusal } from '../../src/admin/lockout-guard.js';
import { ListAdmin } from '../../src/admin/list-admin.js';
import type { ListId } from '../../src/store/keys.js';
import type { ListState } from '../../src/store/list-state.js';
import { memoryStores } from './support/memory-stores.js';

const SIP: ListId = { tenant: 'acme', scope: 'sip' };
const ADMIN: ListId = { tenant: 'acme', scope: 'admin' };
const setup: Actor = { name: 'setup', force: true };
const me: Actor = { name: 'alice', address: '192.0.2.10' };

async function adminWith(id: ListId, lines: readonly string[], enabled: boolean) {
  const stores = memoryStores();
  const admin = new ListAdmin(stores);
  for (const line of lines) {
    const [value, state] = line.split(' ') as [string, string | undefined];
    expect((await admin.addEntry(setup, id, { value, active: state !== 'inactive' })).ok).toBe(true);
  }
  if (enabled) expect((await admin.setEnabled(setup, id, true)).ok).toBe(true);
  return { admin, stores };
}

async function revOf(admin: ListAdmin, id: ListId): Promise<number> {
  const shown = await admin.show(id);
  if (!shown.ok) throw new Error(shown.failure.message);
  return shown.value.rev;
}

describe('the lockout guard', () => {
  it('refuses switching on a list that denies your own address, writes nothing, and lets --force through', async () => {
    const { admin, stores } = await adminWith(SIP, ['10.0.0.0/8'], false);
    const rev = await revOf(admin, SIP);
    const writes = stores.lists.writes;
    const refused = await admin.setEnabled(me, SIP, true);
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'lockout', message: expect.stringContaining('would deny your own address 192.0.2.10 in acme/sip (no-match)') } });
    expect(await revOf(admin, SIP)).toBe(rev);
    expect(stores.lists.writes).toBe(writes);
    expect(await admin.setEnabled({ ...me, force: true }, SIP, true)).toMatchObject({ ok: true, value: { rev: rev + 1 } });
  });

  it('refuses deleting, disabling by bulk, or replacing away the entry that lets you in', async () => {
    const { admin } = await adminWith(SIP, ['192.0.2.0/24', '10.0.0.0/8'], true);
    expect(await admin.deleteEntry(me, SIP, '192.0.2.0/24')).toMatchObject({ ok: false, failure: { kind: 'lockout' } });
    expect(await admin.editEntry(me, SIP, '192.0.2.0/24', { active: false })).toMatchObject({ ok: false, failure: { kind: 'lockout' } });
    expect(await admin.bulk(me, SIP, { filter: { value: '192.0.2' } }, 'disable')).toMatchObject({ ok: false, failure: { kind: 'lockout' } });
    expect(await admin.replace(me, SIP, '10.0.0.0/8', true)).toMatchObject({ ok: false, failure: { kind: 'lockout' } });
    expect(await admin.replace(me, SIP, '10.0.0.0/8', false)).toMatchObject({ ok: false, failure: { kind: 'lockout' } });
    // What keeps the address allowed passes: a wider entry first, then the narrow one may go.
    expect((await admin.addEntry(me, SIP, { value: '192.0.0.0/16', active: true })).ok).toBe(true);
    expect((await admin.deleteEntry(me, SIP, '192.0.2.0/24')).ok).toBe(true);
  });

  it('lets any change through on a list that already denied you, and switching a scope off', async () => {
    const noc = await adminWith(SIP, ['10.0.0.0/8'], true);
    expect((await noc.admin.deleteEntry(me, SIP, '10.0.0.0/8')).ok).toBe(true);
    const mine = await adminWith(SIP, ['192.0.2.0/24'], true);
    expect((await mine.admin.setEnabled(me, SIP, false)).ok).toBe(true);
  });

  it('needs your address (or force) to change the admin scope, and records the address it checked', async () => {
    const { admin, stores } = await adminWith(ADMIN, ['192.0.2.0/24'], true);
    const anonymous = await admin.addEntry({ name: 'bob' }, ADMIN, { value: '198.51.100.0/24', active: true });
    expect(anonymous).toMatchObject({ ok: false, failure: { kind: 'lockout', message: expect.stringContaining('give --my-ip') } });
    expect((await admin.addEntry({ name: 'bob', force: true }, ADMIN, { value: '198.51.100.0/24', active: true })).ok).toBe(true);
    expect((await admin.addEntry(me, ADMIN, { value: '203.0.113.0/24', active: true })).ok).toBe(true);
    expect((await stores.audit.read('acme', 1))[0]).toMatchObject({ actor: 'alice', address: '192.0.2.10', action: 'add', added: ['203.0.113.0/24'] });
  });

  it('never lets the API force the caller out of the admin scope; elsewhere force works there too', async () => {
    const { admin } = await adminWith(ADMIN, ['192.0.2.0/24'], true);
    const api: Actor = { ...me, force: true, adminLockoutIsFinal: true };
    const refused = await admin.deleteEntry(api, ADMIN, '192.0.2.0/24');
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'lockout', message: expect.stringContaining('this API session would lose access') } });
    const sip = await adminWith(SIP, ['192.0.2.0/24'], true);
    expect((await sip.admin.deleteEntry(api, SIP, '192.0.2.0/24')).ok).toBe(true);
  });

  it('passes a change the guard cannot judge: the admin scope with force and no address, a list that does not compile', () => {
    const before: ListState = { tenant: 'acme', scope: 'admin', configured: true, enabled: true, entries: [], cidrs: '', rev: 1, fingerprint: '', countries: { enabled: false, codes: [] } };
    expect(lockoutRefusal(ADMIN, before, { enabled: true, entries: [] }, { name: 'x', force: true })).toBeUndefined();
    expect(lockoutRefusal(SIP, { ...before, scope: 'sip' }, { enabled: true, entries: [{ value: 'not-an-entry', active: true }] }, me)).toBeUndefined();
  });
});
