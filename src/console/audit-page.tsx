/**
 * The tenant's audit log, newest first (the newest 1,000 changes): who
 * changed which list, when, from where, and what was added and removed.
 * Filtered by scope (by the server) and by any text in a record.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { SCOPES } from '../policy/index.js';
import { call, messageOf, tenantPath, withQuery } from './api.js';
import { shownTime } from './shown-time.js';
import { ColumnHeads } from './column-heads.js';

interface Summary {
  readonly enabled: boolean;
  readonly active: number;
  readonly inactive: number;
}

interface AuditRecord {
  readonly scope: string;
  readonly at: string;
  readonly actor: string;
  readonly address?: string;
  readonly action: string;
  readonly rev?: number;
  readonly after: Summary;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

const AUDIT_LIMIT = 1000;

const changeOf = (r: AuditRecord) =>
  [r.added.length > 0 && `+${r.added.join(',')}`, r.removed.length > 0 && `-${r.removed.join(',')}`, `${r.after.enabled ? 'on' : 'off'}, ${r.after.active} active, ${r.after.inactive} inactive`]
    .filter(Boolean)
    .join('; ');

export function AuditPage({ tenant }: { tenant: string }) {
  const [scope, setScope] = useState('');
  const [text, setText] = useState('');
  const [records, setRecords] = useState<readonly AuditRecord[] | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    call<{ records: AuditRecord[] }>('GET', withQuery(tenantPath(tenant, '/audit'), { scope, limit: AUDIT_LIMIT })).then(
      (page) => (setRecords(page.records), setProblem(undefined)),
      (err: unknown) => setProblem(messageOf(err)),
    );
  }, [tenant, scope]);
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    if (records === undefined || needle === '') return records;
    return records.filter((r) => [r.actor, r.address ?? '', r.action, r.scope, changeOf(r)].some((field) => field.toLowerCase().includes(needle)));
  }, [records, text]);
  return (
    <>
      <h1>Audit log</h1>
      <form class="filters" role="search" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="audit-scope">Scope</label>
          <select id="audit-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
            <option value="">All scopes</option>
            {SCOPES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="audit-text">Search</label>
          <input id="audit-text" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="actor, address, action or entry" />
        </div>
      </form>
      {problem && <p class="field-error">{problem}</p>}
      {shown && (
        <>
          <p class="count" aria-live="polite">
            {shown.length} {shown.length === 1 ? 'change' : 'changes'}
          </p>
          <div class="table-wrap">
            <table class="audit">
              <ColumnHeads names={['When', 'Who', 'From', 'Scope', 'Action', 'Change']} />
              <tbody>
                {shown.map((r) => (
                  <tr key={`${r.scope}:${r.rev}:${r.at}`}>
                    <td data-label="When">{shownTime(r.at)}</td>
                    <td data-label="Who">{r.actor}</td>
                    <td data-label="From">{r.address ?? ''}</td>
                    <td data-label="Scope">{r.scope}</td>
                    <td data-label="Action">{r.action}</td>
                    <td data-label="Change" class="change">
                      {changeOf(r)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
