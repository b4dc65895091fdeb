/**
 * "Add IP", "Add IP block" and "Edit": the value (checked as you type with
 * the API's rules; fixed once added, as the entry's name), a description,
 * and Active or Inactive. An inactive entry is kept but not enforced.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { descriptionProblem } from '../admin/entry-text.js';
import type { Scope } from '../policy/index.js';
import { call, tenantPath, withQuery } from './api.js';
import type { MakeChange } from './change.js';
import { type EntryKind, checkEntry } from './entry-check.js';
import { FormActions } from './form-actions.js';
import type { Entry } from './list-types.js';

export type EntryFormMode = { readonly kind: 'add'; readonly entryKind: EntryKind } | { readonly kind: 'edit'; readonly entry: Entry };

interface Props {
  readonly tenant: string;
  readonly scope: Scope;
  readonly mode: EntryFormMode;
  readonly change: MakeChange;
  readonly close: () => void;
}

const TITLES = { address: 'Add IP', block: 'Add IP block' } as const;

export const entryPath = (tenant: string, scope: Scope, value: string) => tenantPath(tenant, `/scopes/${scope}/entries/${encodeURIComponent(value)}`);

export function EntryForm({ tenant, scope, mode, change, close }: Props) {
  const editing = mode.kind === 'edit' ? mode.entry : undefined;
  const [value, setValue] = useState(editing?.value ?? '');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [active, setActive] = useState(editing?.active ?? true);
  const [touched, setTouched] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => first.current?.focus(), []);

  const checked = mode.kind === 'add' ? checkEntry(mode.entryKind, value) : undefined;
  const valueProblem = checked !== undefined && !checked.ok ? checked.message : undefined;
  const descriptionIssue = descriptionProblem(description);
  const title = mode.kind === 'add' ? TITLES[mode.entryKind] : `Edit ${editing!.value}`;

  const save = async (event: Event) => {
    event.preventDefault();
    setTouched(true);
    if (valueProblem !== undefined || descriptionIssue !== undefined) return;
    const made =
      mode.kind === 'add'
        ? await change(
            (force) => call('POST', withQuery(tenantPath(tenant, `/scopes/${scope}/entries`), { force: force || undefined }), { json: { value: value.trim(), description, active } }),
            () => `Added ${checked?.ok ? checked.value : value} (${active ? 'active' : 'inactive'}).`,
          )
        : await change(
            (force) => call('PATCH', withQuery(entryPath(tenant, scope, editing!.value), { force: force || undefined }), { json: { description, active } }),
            () => `Saved ${editing!.value} (${active ? 'active' : 'inactive'}).`,
          );
    if (made) close();
  };

  const showValueProblem = valueProblem !== undefined && (touched || value !== '');
  return (
    <form class="panel entry-form" onSubmit={save} aria-labelledby="entry-form-title" noValidate>
      <h3 id="entry-form-title">{title}</h3>
      {mode.kind === 'add' && (
        <div class="field">
          <label for="entry-value">{mode.entryKind === 'block' ? 'IP block' : 'IP address or DNS name'}</label>
          <input
            id="entry-value"
            ref={first}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            placeholder={mode.entryKind === 'block' ? '203.0.113.0/24' : '203.0.113.5'}
            autocomplete="off"
            spellcheck={false}
            aria-invalid={showValueProblem}
            aria-describedby="entry-value-problem"
          />
          <p id="entry-value-problem" class={showValueProblem ? 'field-error' : 'field-ok'} aria-live="polite">
            {showValueProblem ? valueProblem : checked?.ok ? `will be stored as ${checked.value}` : ''}
          </p>
        </div>
      )}
      <div class="field">
        <label for="entry-description">Description</label>
        <input
          id="entry-description"
          ref={mode.kind === 'edit' ? first : undefined}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
          placeholder="Head office"
          aria-invalid={descriptionIssue !== undefined}
          aria-describedby="entry-description-problem"
        />
        <p id="entry-description-problem" class="field-error" aria-live="polite">
          {descriptionIssue}
        </p>
      </div>
      <fieldset class="field">
        <legend>State</legend>
        <label>
          <input type="radio" name="entry-state" checked={active} onChange={() => setActive(true)} /> Active
        </label>
        <label>
          <input type="radio" name="entry-state" checked={!active} onChange={() => setActive(false)} /> Inactive
        </label>
        <p class="hint">An active entry is enforced only while the list is on.</p>
      </fieldset>
      <FormActions submit="Save" cancel={close} />
    </form>
  );
}
