/**
 * "Allow" for a denied source: its address added to the list of the scope
 * it was denied in as an active entry, with a description (left empty, the
 * API writes how often and when it was denied and its User-Agent), in one
 * POST …/denied/{address}/allow. Adding cannot lock anyone out, but it goes
 * through the same change as every other, so any refusal shows as the API
 * words it.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { descriptionProblem } from '../admin/entry-text.js';
import { call, tenantPath, withQuery } from './api.js';
import { useChange } from './change.js';
import type { DeniedSource } from './denied-table.js';
import { FormActions } from './form-actions.js';
import type { Entry } from './list-types.js';
import { SCOPE_TEXT } from './scopes.js';

interface Props {
  readonly tenant: string;
  readonly source: DeniedSource;
  readonly written: () => void;
  readonly close: () => void;
}

interface Allowed {
  readonly scope: string;
  readonly rev: number;
  readonly entry: Entry;
}

export function AllowDenied({ tenant, source, written, close }: Props) {
  const [description, setDescription] = useState('');
  const first = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => first.current?.focus(), []);
  const change = useChange(source.scope, written);
  const problem = descriptionProblem(description);
  const list = SCOPE_TEXT[source.scope].title;

  const allow = async (event: Event) => {
    event.preventDefault();
    if (problem !== undefined) return;
    const path = tenantPath(tenant, `/denied/${encodeURIComponent(source.address)}/allow`);
    // The scope is always named: an address denied in two scopes is allowed in the one whose row was picked.
    const body = { scope: source.scope, ...(description.trim() !== '' && { description: description.trim() }) };
    const made = await change(
      (force) => call<Allowed>('POST', withQuery(path, { force: force || undefined }), { json: body }),
      ({ entry }) => `Allowed ${entry.value} in ${list}${entry.description ? ` ("${entry.description}")` : ''}.`,
    );
    if (made) close();
  };

  return (
    <form class="panel allow-form" onSubmit={allow} aria-labelledby="allow-title" noValidate>
      <h2 id="allow-title">
        Allow {source.address} in {list}
      </h2>
      <p class="hint">
        Denied {source.count} {source.count === 1 ? 'time' : 'times'}, last a {source.method} over {source.transport}
        {source.userAgent ? ` from ${source.userAgent}` : ''}. It becomes an active entry of the {list} list.
      </p>
      <div class="field">
        <label for="allow-description">Description</label>
        <input
          id="allow-description"
          ref={first}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
          placeholder="New office"
          aria-invalid={problem !== undefined}
          aria-describedby="allow-description-hint allow-description-problem"
        />
        <p id="allow-description-hint" class="hint">
          Left empty: how often and when it was denied, and its User-Agent.
        </p>
        <p id="allow-description-problem" class="field-error" aria-live="polite">
          {problem}
        </p>
      </div>
      <FormActions submit="Allow" cancel={close} />
    </form>
  );
}
