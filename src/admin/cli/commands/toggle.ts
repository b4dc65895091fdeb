/**
 * `sipwarden enable | disable`: switch a scope's enforcement on or off.
 */
import type { Command } from 'commander';
import { type ActorOptions, type ListOptions, actorOf, listChange, listIdOf } from '../options.js';
import { run } from '../session.js';

function registerToggle(program: Command, enabled: boolean): void {
  const name = enabled ? 'enable' : 'disable';
  const description = enabled
    ? 'switch the scope on: only its active entries are allowed (refused if that denies your own address)'
    : 'switch the scope off: every address is allowed, the entries are kept';
  listChange(program, name, description).action((options: ListOptions & ActorOptions) =>
    run(options, async ({ admin }, out) => {
      const id = listIdOf(options);
      const result = await admin.setEnabled(actorOf(options), id, enabled);
      if (!result.ok) return out.refused(result.failure);
      const { rev } = result.value;
      return out.result({ tenant: id.tenant, scope: id.scope, enabled, rev }, () => `${id.tenant}/${id.scope} ${name}d; rev ${rev}`);
    }),
  );
}

export function registerToggles(program: Command): void {
  registerToggle(program, true);
  registerToggle(program, false);
}
