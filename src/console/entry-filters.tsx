/**
 * Filters of the entries (by value, state and description) and one quick
 * search across all three, applied by the server as you type.
 */
import type { EntryFilter } from '../admin/entry-filter.js';

export interface FilterForm {
  readonly value: string;
  readonly state: '' | 'active' | 'inactive';
  readonly description: string;
  readonly q: string;
}

export const NO_FILTER: FilterForm = { value: '', state: '', description: '', q: '' };

/** The filter the API is asked for: the fields filled in. */
export function filterOf(form: FilterForm): EntryFilter {
  return {
    ...(form.value.trim() !== '' && { value: form.value.trim() }),
    ...(form.state !== '' && { state: form.state }),
    ...(form.description.trim() !== '' && { description: form.description.trim() }),
    ...(form.q.trim() !== '' && { q: form.q.trim() }),
  };
}

export function EntryFilters({ form, set }: { form: FilterForm; set: (form: FilterForm) => void }) {
  return (
    <form class="filters" role="search" aria-label="Filter the entries" onSubmit={(e) => e.preventDefault()}>
      <div class="field">
        <label for="filter-q">Quick search</label>
        <input id="filter-q" type="search" value={form.q} onInput={(e) => set({ ...form, q: e.currentTarget.value })} placeholder="address, description or state" />
      </div>
      <div class="field">
        <label for="filter-value">Filter by IP / name</label>
        <input id="filter-value" value={form.value} onInput={(e) => set({ ...form, value: e.currentTarget.value })} placeholder="192.0.2" />
      </div>
      <div class="field">
        <label for="filter-state">Filter by state</label>
        <select id="filter-state" value={form.state} onChange={(e) => set({ ...form, state: e.currentTarget.value as FilterForm['state'] })}>
          <option value="">Any</option>
          <option value="active">Active</option>
          <option value="inactive">Inactive</option>
        </select>
      </div>
      <div class="field">
        <label for="filter-description">Filter by description</label>
        <input id="filter-description" value={form.description} onInput={(e) => set({ ...form, description: e.currentTarget.value })} placeholder="office" />
      </div>
    </form>
  );
}
