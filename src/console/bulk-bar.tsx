/**
 * Bulk actions under the list: enable, disable or delete the entries ticked,
 * or every entry the filter matches (all of them when there is no filter),
 * on all pages. A delete is asked first.
 */
import { useState } from 'preact/hooks';
import { type EntryFilter, isEmptyFilter } from '../admin/entry-filter.js';
import type { BulkAction } from '../admin/list-admin.js';
import type { Scope } from '../policy/index.js';
import { call, tenantPath, withQuery } from './api.js';
import type { MakeChange } from './change.js';
import { useAsk } from './dialog.js';

interface Props {
  readonly tenant: string;
  readonly scope: Scope;
  readonly selected: readonly string[];
  readonly filter: EntryFilter;
  /** Entries the filter matches. */
  readonly total: number;
  readonly change: MakeChange;
  readonly done: () => void;
}

type Target = 'selected' | 'matching';

const VERBS: Readonly<Record<BulkAction, string>> = { enable: 'Enabled', disable: 'Disabled', delete: 'Deleted' };

export function BulkBar({ tenant, scope, selected, filter, total, change, done }: Props) {
  const [action, setAction] = useState<BulkAction>('disable');
  const [target, setTarget] = useState<Target>('selected');
  const ask = useAsk();
  const everything = isEmptyFilter(filter);
  const count = target === 'selected' ? selected.length : total;
  const process = async (event: Event) => {
    event.preventDefault();
    if (count === 0) return;
    const which = target === 'selected' ? { values: selected } : everything ? { all: true } : { filter };
    if (action === 'delete') {
      const sure = await ask({ title: `Delete ${count} ${count === 1 ? 'entry' : 'entries'}?`, text: `They are removed from the ${scope} list.`, confirm: 'Delete', danger: true });
      if (!sure) return;
    }
    const made = await change(
      (force) => call<{ affected: number }>('POST', withQuery(tenantPath(tenant, `/scopes/${scope}/entries:bulk`), { force: force || undefined }), { json: { action, ...which } }),
      ({ affected }) => `${VERBS[action]} ${affected} ${affected === 1 ? 'entry' : 'entries'}.`,
    );
    if (made) done();
  };
  return (
    <form class="bulk" onSubmit={process} aria-label="Bulk actions">
      <label for="bulk-action">With</label>
      <select id="bulk-action" value={action} onChange={(e) => setAction(e.currentTarget.value as BulkAction)}>
        <option value="enable">Enable</option>
        <option value="disable">Disable</option>
        <option value="delete">Delete</option>
      </select>
      <fieldset>
        <legend class="visually-hidden">Which entries</legend>
        <label>
          <input type="radio" name="bulk-target" checked={target === 'selected'} onChange={() => setTarget('selected')} /> the {selected.length} selected
        </label>
        <label>
          <input type="radio" name="bulk-target" checked={target === 'matching'} onChange={() => setTarget('matching')} />{' '}
          {everything ? `all ${total} ${total === 1 ? 'entry' : 'entries'}` : `all ${total} matching the filter`}
        </label>
      </fieldset>
      <button type="submit" class="primary" disabled={count === 0}>
        Process
      </button>
    </form>
  );
}
