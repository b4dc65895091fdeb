/**
 * A scope's page, as the settings pages admins know: what the list guards,
 * its switch with the lockout warning, "Add IP", "Add IP block" and mass
 * insert, a check of any address, the entries (filtered, paged, with bulk
 * actions) and their export.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Scope } from '../policy/index.js';
import { call, messageOf, tenantPath, withQuery } from './api.js';
import { useChange } from './change.js';
import { CheckAddress } from './check-address.js';
import { CountryPicker } from './country-picker.js';
import { EntryFilters, type FilterForm, NO_FILTER, filterOf } from './entry-filters.js';
import { EntryForm, type EntryFormMode } from './entry-form.js';
import { EntryTable, PAGE_SIZE } from './entry-table.js';
import type { ShownList } from './list-types.js';
import { MassInsert } from './mass-insert.js';
import { ScopeSwitch } from './scope-switch.js';
import { SCOPE_TEXT } from './scopes.js';
import type { SessionInfo } from './session.js';

/** Typing in a filter asks the server once it pauses this long. */
const FILTER_PAUSE_MS = 30;

type Opened = { readonly kind: 'none' } | { readonly kind: 'mass' } | EntryFormMode;

const EXPORTS = [
  ['csv', 'CSV (the enforced list)'],
  ['lines', 'one a line'],
  ['json', 'JSON (every entry, for import)'],
] as const;

export function ScopePage({ tenant, scope, session }: { tenant: string; scope: Scope; session: SessionInfo }) {
  const [form, setForm] = useState<FilterForm>(NO_FILTER);
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [version, setVersion] = useState(0);
  // The page shown, with the offset it was asked at: rows and their numbers change together, when it arrives.
  const [shown, setShown] = useState<{ list: ShownList; offset: number } | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [opened, setOpened] = useState<Opened>({ kind: 'none' });
  const filter = filterOf(form);
  const query = { ...filter, offset, limit: PAGE_SIZE };
  const queryKey = JSON.stringify(query);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      call<ShownList>('GET', withQuery(tenantPath(tenant, `/scopes/${scope}`), query)).then(
        (list) => current && (setShown({ list, offset }), setProblem(undefined)),
        (err: unknown) => current && setProblem(messageOf(err)),
      );
    }, FILTER_PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [tenant, scope, queryKey, version]);

  const change = useChange(scope, () => setVersion((v) => v + 1));
  const close = () => setOpened({ kind: 'none' });
  const refilter = (next: FilterForm) => {
    setForm(next);
    setOffset(0);
  };
  const text = SCOPE_TEXT[scope];

  return (
    <>
      <h1>{text.title}</h1>
      <p class="intro">{text.intro}</p>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {shown && <ScopeSwitch tenant={tenant} scope={scope} list={shown.list} address={session.address} change={change} />}
      {shown && <CountryPicker tenant={tenant} scope={scope} countries={shown.list.countries} change={change} />}
      <section class="panel" aria-labelledby="entries-title">
        <h2 id="entries-title">Entries</h2>
        <div class="toolbar">
          <button type="button" class="primary" onClick={() => setOpened({ kind: 'add', entryKind: 'address' })}>
            Add IP
          </button>
          <button type="button" class="primary" onClick={() => setOpened({ kind: 'add', entryKind: 'block' })}>
            Add IP block
          </button>
          <button type="button" onClick={() => setOpened({ kind: 'mass' })}>
            Mass insert
          </button>
          <details class="export">
            <summary>Export</summary>
            <ul>
              {EXPORTS.map(([format, label]) => (
                <li key={format}>
                  <a href={withQuery(tenantPath(tenant, `/scopes/${scope}/export`), { ...filter, format })} download>
                    {label}
                  </a>
                </li>
              ))}
            </ul>
          </details>
        </div>
        {opened.kind === 'mass' && <MassInsert tenant={tenant} scope={scope} change={change} close={close} />}
        {(opened.kind === 'add' || opened.kind === 'edit') && (
          <EntryForm key={opened.kind === 'add' ? opened.entryKind : opened.entry.value} tenant={tenant} scope={scope} mode={opened} change={change} close={close} />
        )}
        <EntryFilters form={form} set={refilter} />
        {shown && (
          <EntryTable
            tenant={tenant}
            scope={scope}
            list={shown.list}
            filter={filter}
            offset={shown.offset}
            page={setOffset}
            selected={selected}
            setSelected={setSelected}
            edit={(entry) => setOpened({ kind: 'edit', entry })}
            change={change}
          />
        )}
      </section>
      <CheckAddress tenant={tenant} scope={scope} />
    </>
  );
}
