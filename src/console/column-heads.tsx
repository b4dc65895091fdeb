/**
 * A table's header row: one column header per name, and with `actions` a
 * last column for the row buttons, named for screen readers only. `first`
 * goes before the names (the entry table's select-all box).
 */
import type { ComponentChildren } from 'preact';

export function ColumnHeads({ names, actions = false, first }: { names: readonly string[]; actions?: boolean; first?: ComponentChildren }) {
  return (
    <thead>
      <tr>
        {first}
        {names.map((name) => (
          <th scope="col" key={name}>
            {name}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
