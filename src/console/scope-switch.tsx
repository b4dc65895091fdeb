/**
 * The switch for the whole list, with the lockout warning beside it:
 * switching a list on that does not hold your address locks you out (the
 * API refuses it, and the console asks before forcing it).
 */
import type { Scope } from '../policy/index.js';
import { call, tenantPath, withQuery } from './api.js';
import type { MakeChange } from './change.js';
import type { ShownList } from './list-types.js';

interface Props {
  readonly tenant: string;
  readonly scope: Scope;
  readonly list: ShownList;
  readonly address: string;
  readonly change: MakeChange;
}

export function ScopeSwitch({ tenant, scope, list, address, change }: Props) {
  const on = list.configured && list.enabled;
  const toggle = (event: Event) => {
    // The box shows the list as stored: it flips when the change is made and the list read again, not before.
    (event.currentTarget as HTMLInputElement).checked = on;
    void change(
      (force) => call('PUT', withQuery(tenantPath(tenant, `/scopes/${scope}`), { force: force || undefined }), { json: { enabled: !on } }),
      () => (on ? `The ${scope} list is off: every address is allowed.` : `The ${scope} list is on: only its active entries are allowed.`),
    );
  };
  return (
    <section class="switch-panel" aria-labelledby="switch-title">
      <h2 id="switch-title">Allowlist</h2>
      <label class="switch">
        <input type="checkbox" role="switch" checked={on} onChange={toggle} aria-describedby="switch-warning" />
        <span>{on ? 'On: only the active entries below are allowed' : 'Off: every address is allowed'}</span>
      </label>
      <p id="switch-warning" class="warning">
        If your own address ({address}) is not in the list, switching it on locks you out. Add it first: switch the list on last.
      </p>
      {!list.configured && <p class="hint">This list was never set up; entries added now stay unenforced until you switch it on.</p>}
    </section>
  );
}
