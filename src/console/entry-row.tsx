/**
 * One entry of the table: its value (a DNS name shows the addresses it
 * resolves to on hover or keyboard focus), state, description, who changed
 * it last, and its actions: edit, enable or disable, delete (asked first).
 */
import type { Scope } from '../policy/index.js';
import { call, withQuery } from './api.js';
import type { MakeChange } from './change.js';
import { useAsk } from './dialog.js';
import { entryPath } from './entry-form.js';
import type { Entry, Resolution } from './list-types.js';

interface Props {
  readonly tenant: string;
  readonly scope: Scope;
  readonly entry: Entry;
  readonly selected: boolean;
  readonly select: (value: string, on: boolean) => void;
  readonly edit: (entry: Entry) => void;
  readonly change: MakeChange;
}

function resolvedText(resolution: Resolution): string {
  const addresses = resolution.addresses.length > 0 ? `resolves to ${resolution.addresses.join(', ')}` : 'resolves to nothing';
  if (resolution.state === 'resolved') return addresses;
  if (resolution.state === 'pending') return 'not resolved yet';
  return `${addresses} (failing${resolution.failure ? `: ${resolution.failure}` : ''})`;
}

function Value({ entry, id }: { entry: Entry; id: string }) {
  if (entry.resolution === undefined) return <span class="value">{entry.value}</span>;
  // A name: its addresses in a tip shown on hover and on focus, and read out as its description.
  return (
    <span class="value name" tabIndex={0} aria-describedby={id}>
      {entry.value}
      <span class="tip" id={id} role="tooltip">
        {resolvedText(entry.resolution)}
      </span>
    </span>
  );
}

const stamp = (entry: Entry) => (entry.updatedAt ? `${entry.updatedAt.slice(0, 16).replace('T', ' ')} ${entry.updatedBy ?? ''}` : '');

export function EntryRow({ tenant, scope, entry, selected, select, edit, change }: Props) {
  const ask = useAsk();
  const path = entryPath(tenant, scope, entry.value);
  const rowId = `entry-${entry.value.replace(/[^A-Za-z0-9]/g, '-')}`;
  const flip = () =>
    change(
      (force) => call('PATCH', withQuery(path, { force: force || undefined }), { json: { active: !entry.active } }),
      () => `${entry.value} ${entry.active ? 'disabled' : 'enabled'}.`,
    );
  const remove = async () => {
    const sure = await ask({ title: `Delete ${entry.value}?`, text: `The entry ${entry.value}${entry.description ? ` (${entry.description})` : ''} is removed from the ${scope} list.`, confirm: 'Delete', danger: true });
    // A deleted entry leaves the selection too: a bulk action naming it would be refused.
    if (sure && (await change((force) => call('DELETE', withQuery(path, { force: force || undefined })), () => `Deleted ${entry.value}.`))) select(entry.value, false);
  };
  return (
    <tr class={entry.active ? 'active' : 'inactive'}>
      <td class="pick">
        <input type="checkbox" checked={selected} onChange={(e) => select(entry.value, e.currentTarget.checked)} aria-label={`Select ${entry.value}`} />
      </td>
      <td data-label="IP / name">
        <Value entry={entry} id={`${rowId}-tip`} />
      </td>
      <td data-label="State">
        <span class={`state state-${entry.active ? 'active' : 'inactive'}`}>{entry.active ? 'Active' : 'Inactive'}</span>
      </td>
      <td data-label="Description">{entry.description ?? ''}</td>
      <td data-label="Updated" class="stamp">
        {stamp(entry)}
      </td>
      <td class="row-actions">
        <button type="button" onClick={() => edit(entry)} aria-label={`Edit ${entry.value}`}>
          Edit
        </button>
        <button type="button" onClick={flip} aria-label={`${entry.active ? 'Disable' : 'Enable'} ${entry.value}`}>
          {entry.active ? 'Disable' : 'Enable'}
        </button>
        <button type="button" class="danger" onClick={remove} aria-label={`Delete ${entry.value}`}>
          Delete
        </button>
      </td>
    </tr>
  );
}
