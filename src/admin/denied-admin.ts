/**
 * Who is knocking, for admins (issue 14): the sources the edges denied for a
 * tenant, and "allow this one" in one step — the answer to "my phone stopped
 * registering after we moved offices". Allowing adds the address to the
 * scope's list through ListAdmin (validated, audited, lockout-guarded like
 * any add) and then drops it from the record.
 */
import { type Scope, canonicalAddress } from '../policy/index.js';
import type { DeniedQuery, DeniedSource } from '../store/denied-log.js';
import { type AdminResult, fail } from './admin-result.js';
import type { Actor, EntryWritten, ListAdmin } from './list-admin.js';

/** What the admin tools need of the record (RedisDeniedLog). */
export interface DeniedRecord {
  read(tenant: string, query?: DeniedQuery): Promise<DeniedSource[]>;
  forget(tenant: string, scope: Scope, address: string): Promise<boolean>;
}

export interface AllowDenied {
  /** Which scope's list; may be left out when the address was denied in one scope only. */
  readonly scope?: Scope;
  /** Default: how often and when it was denied, and its User-Agent. */
  readonly description?: string;
}

/** The default description of an allowed denied source: enough to recognise it later in the list. */
function describe(source: DeniedSource): string {
  const agent = source.userAgent === undefined ? '' : `, ${source.userAgent}`;
  const text = `allowed after ${source.count} denials (last ${new Date(source.lastSeen).toISOString()}${agent})`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export class DeniedAdmin {
  constructor(
    private readonly record: DeniedRecord,
    private readonly lists: ListAdmin,
  ) {}

  list(tenant: string, query: DeniedQuery = {}): Promise<DeniedSource[]> {
    return this.record.read(tenant, query);
  }

  async allow(actor: Actor, tenant: string, address: string, options: AllowDenied = {}): Promise<AdminResult<EntryWritten & { scope: Scope; denied?: DeniedSource }>> {
    const canonical = canonicalAddress(address);
    if (canonical === undefined) return fail({ kind: 'invalid', message: `${JSON.stringify(address)} is not an IP address` });
    // The record holds addresses as the transport wrote them: compared in one spelling.
    const denied = (await this.record.read(tenant)).filter((s) => canonicalAddress(s.address) === canonical && (options.scope === undefined || s.scope === options.scope));
    let scope = options.scope;
    if (scope === undefined) {
      if (denied.length === 0) return fail({ kind: 'not-found', message: `${canonical} was not denied for ${tenant} lately; name the scope to allow it anyway` });
      if (denied.length > 1) return fail({ kind: 'invalid', message: `${canonical} was denied in ${denied.map((s) => s.scope).join(' and ')}: name the scope` });
      scope = denied[0]!.scope;
    }
    const source = denied.find((s) => s.scope === scope);
    const description = options.description ?? (source === undefined ? undefined : describe(source));
    const added = await this.lists.addEntry(actor, { tenant, scope }, { value: canonical, active: true, ...(description !== undefined && { description }) });
    if (!added.ok) return added;
    if (source !== undefined) await this.record.forget(tenant, scope, source.address);
    return { ok: true, value: { ...added.value, scope, ...(source !== undefined && { denied: source }) } };
  }
}
