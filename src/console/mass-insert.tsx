/**
 * Mass insert: entries pasted or read from a file, in the CLI's import
 * format (one a line or several comma-separated, each optionally followed
 * by a description). Every bad line is shown with its line number as you
 * type, with the API's own parser, before anything is written; the API
 * refuses the whole import while one is bad, unless "skip invalid lines"
 * is ticked, and then reports what it skipped.
 */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { InvalidItem } from '../admin/admin-result.js';
import { importPlan } from '../admin/bulk-rules.js';
import { parseImport } from '../admin/entry-import.js';
import type { Scope } from '../policy/index.js';
import { ApiFailure, call, tenantPath, withQuery } from './api.js';
import type { MakeChange } from './change.js';
import { FormActions } from './form-actions.js';

interface Props {
  readonly tenant: string;
  readonly scope: Scope;
  readonly change: MakeChange;
  readonly close: () => void;
}

interface Imported {
  readonly imported: number;
  readonly skipped: readonly InvalidItem[];
}

/** Bad lines listed at most; the count says how many there are. */
const LISTED = 200;

function badLines(text: string): readonly InvalidItem[] {
  const plan = importPlan(parseImport(text, true), true, []);
  return 'kind' in plan ? [] : plan.skipped;
}

/** As the CLI shows a bad line: the message names the token at fault. */
const lineText = (item: InvalidItem) => `line ${item.line ?? '?'}: ${item.message}`;

export function MassInsert({ tenant, scope, change, close }: Props) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(true);
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [refused, setRefused] = useState<readonly InvalidItem[] | undefined>();
  const area = useRef<HTMLTextAreaElement>(null);
  useLayoutEffect(() => area.current?.focus(), []);
  const bad = useMemo(() => badLines(text), [text]);
  const shown = refused ?? bad;
  const entries = useMemo(() => parseImport(text, true).length, [text]);

  const read = async (event: Event) => {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (file) {
      setText(await file.text());
      setRefused(undefined);
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (entries === 0) return;
    const made = await change(
      async (force) => {
        try {
          const query = { skipInvalid: skipInvalid || undefined, state: active ? undefined : 'inactive', force: force || undefined };
          return await call<Imported>('POST', withQuery(tenantPath(tenant, `/scopes/${scope}/entries:import`), query), { text });
        } catch (err) {
          if (err instanceof ApiFailure && err.body.items) setRefused(err.body.items);
          throw err;
        }
      },
      ({ imported, skipped }) => `Imported ${imported} ${imported === 1 ? 'entry' : 'entries'}${skipped.length > 0 ? `; skipped ${skipped.length} invalid ${skipped.length === 1 ? 'line' : 'lines'}` : ''}.`,
    );
    if (made) close();
  };

  return (
    <form class="panel mass-insert" onSubmit={submit} aria-labelledby="mass-title">
      <h3 id="mass-title">Mass insert</h3>
      <div class="field">
        <label for="mass-text">Entries, one a line or comma-separated, each optionally followed by a description</label>
        <textarea
          id="mass-text"
          ref={area}
          rows={8}
          spellcheck={false}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setRefused(undefined);
          }}
          placeholder={'203.0.113.0/24 Head office\n198.51.100.7 VPN gateway\nagent7.dyn.example.net Home office'}
          aria-describedby="mass-problems"
        />
      </div>
      <div class="field">
        <label for="mass-file">Or read a file</label>
        <input id="mass-file" type="file" accept=".txt,.csv,text/plain" onChange={read} />
      </div>
      <div class="field row">
        <label for="mass-state">State of the new entries</label>
        <select id="mass-state" value={active ? 'active' : 'inactive'} onChange={(e) => setActive(e.currentTarget.value === 'active')}>
          <option value="active">Active</option>
          <option value="inactive">Inactive</option>
        </select>
        <label>
          <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid(e.currentTarget.checked)} /> Skip invalid lines
        </label>
      </div>
      <div id="mass-problems" aria-live="polite">
        {shown.length > 0 ? (
          <div class="problems">
            <p class="field-error">
              {shown.length} invalid {shown.length === 1 ? 'line' : 'lines'}
              {skipInvalid ? ': they will be skipped' : ': nothing is written until they are fixed, or "Skip invalid lines" is ticked'}
            </p>
            <ul class="bad-lines">
              {shown.slice(0, LISTED).map((item) => (
                <li key={`${item.line}:${item.token}`}>{lineText(item)}</li>
              ))}
            </ul>
            {shown.length > LISTED && <p class="hint">and {shown.length - LISTED} more</p>}
          </div>
        ) : (
          entries > 0 && <p class="field-ok">{entries} {entries === 1 ? 'entry' : 'entries'}, all valid</p>
        )}
      </div>
      <FormActions submit="Add" cancel={close} disabled={entries === 0} />
    </form>
  );
}
