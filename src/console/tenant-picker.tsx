/**
 * For a token of all tenants (`*`): which tenant to manage. A tenant need
 * not exist before its first list, so any valid name may be typed.
 */
import { useState } from 'preact/hooks';
import { isValidTenant } from '../store/keys.js';

export function TenantPicker({ current, pick }: { current: string | undefined; pick: (tenant: string) => void }) {
  const [name, setName] = useState(current ?? '');
  const valid = isValidTenant(name.trim());
  return (
    <form
      class="tenant-picker"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) pick(name.trim());
      }}
    >
      <label for="tenant">Tenant</label>
      <input id="tenant" value={name} onInput={(e) => setName(e.currentTarget.value)} aria-invalid={name !== '' && !valid} aria-describedby="tenant-hint" />
      <button type="submit" disabled={!valid}>
        Open
      </button>
      <span id="tenant-hint" class="hint">
        Your token manages every tenant.
      </span>
    </form>
  );
}
