/**
 * The entries of a scope, a page at a time: the server filters and pages
 * (a 100,000-entry list sends 50 rows), the page only renders them. Rows
 * can be ticked for the bulk actions; a tick survives paging and filtering
 * until the entries are processed.
 */
import type { EntryFilter } from '../admin/entry-filter.js';
import type { Scope } from '../policy/index.js';
import { BulkBar } from './bulk-bar.js';
import type { MakeChange } from './change.js';
import { EntryRow } from './entry-row.js';
import type { Entry, ShownList } from './list-types.js';
import { ColumnHeads } from './column-heads.js';

export const PAGE_SIZE = 50;

interface Props {
  readonly tenant: string;
  readonly scope: Scope;
  readonly list: ShownList;
  readonly filter: EntryFilter;
  readonly offset: number;
  readonly page: (offset: number) => void;
  readonly selected: ReadonlySet<string>;
  readonly setSelected: (selected: ReadonlySet<string>) => void;
  readonly edit: (entry: Entry) => void;
  readonly change: MakeChange;
}

export function EntryTable({ tenant, scope, list, filter, offset, page, selected, setSelected, edit, change }: Props) {
  const { entries, total } = list;
  const select = (value: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(value);
    else next.delete(value);
    setSelected(next);
  };
  const pageAll = entries.length > 0 && entries.every((e) => selected.has(e.value));
  const selectPage = (on: boolean) => {
    const next = new Set(selected);
    for (const e of entries) if (on) next.add(e.value);
    else next.delete(e.value);
    setSelected(next);
  };
  const last = Math.min(offset + entries.length, total);
  return (
    <>
      <p class="count" aria-live="polite" id="entry-count">
        {total === 0 ? 'No entries match.' : `Showing ${offset + 1}–${last} of ${total} ${total === 1 ? 'entry' : 'entries'}`}
        {selected.size > 0 && `, ${selected.size} selected`}
      </p>
      <div class="table-wrap">
        <table class="entries" aria-describedby="entry-count">
          <ColumnHeads
            names={['IP / name', 'State', 'Description', 'Updated']}
            actions
            first={
              <th scope="col" class="pick">
                <input type="checkbox" checked={pageAll} onChange={(e) => selectPage(e.currentTarget.checked)} aria-label="Select every entry on this page" />
              </th>
            }
          />
          <tbody>
            {entries.map((entry) => (
              <EntryRow key={entry.value} tenant={tenant} scope={scope} entry={entry} selected={selected.has(entry.value)} select={select} edit={edit} change={change} />
            ))}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages of entries">
        <button type="button" disabled={offset === 0} onClick={() => page(Math.max(0, offset - PAGE_SIZE))}>
          Previous page
        </button>
        <button type="button" disabled={last >= total} onClick={() => page(offset + PAGE_SIZE)}>
          Next page
        </button>
      </nav>
      <BulkBar tenant={tenant} scope={scope} selected={[...selected]} filter={filter} total={total} change={change} done={() => setSelected(new Set())} />
    </>
  );
}
