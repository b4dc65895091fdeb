/**
 * `sipwarden audit`: who changed a tenant's lists, when, from where, and how.
 */
import type { Command } from 'commander';
import { AUDIT_LENGTH, type AuditRecord } from '../../../store/audit-log.js';
import { type JsonOptions, positiveInteger, withTenant } from '../options.js';
import { run } from '../session.js';
import { shortTime, table } from '../table.js';

interface AuditOptions extends JsonOptions {
  readonly tenant: string;
  readonly limit: number;
}

const SHOWN_VALUES = 3;

function some(values: readonly string[], truncated: boolean): string {
  const more = values.length - SHOWN_VALUES;
  return `${values.slice(0, SHOWN_VALUES).join(',')}${more > 0 || truncated ? ` (+${truncated ? 'many' : more} more)` : ''}`;
}

/** What a change did, in a few words. */
function change(record: AuditRecord): string {
  const parts = [
    ...(record.before !== null && record.before.enabled !== record.after.enabled ? [record.after.enabled ? 'switched on' : 'switched off'] : []),
    ...(record.added.length > 0 ? [`+${some(record.added, record.truncated)}`] : []),
    ...(record.removed.length > 0 ? [`-${some(record.removed, record.truncated)}`] : []),
  ];
  const size = `${record.after.active} active, ${record.after.inactive} inactive`;
  return `${parts.length > 0 ? parts.join(' ') : 'no change to what is enforced'}; ${size}`;
}

export function registerAudit(program: Command): void {
  const command = program
    .command('audit')
    .description("show the newest changes to a tenant's lists: who, when, from which address, what changed")
    .option('-n, --limit <count>', 'how many records, newest first', positiveInteger(AUDIT_LENGTH), 20);
  withTenant(command).action((options: AuditOptions) =>
    run(options, async ({ admin }, out) => {
      const records = await admin.audit(options.tenant, options.limit);
      return out.result(records, () => {
        if (records.length === 0) return `no changes recorded for ${options.tenant}`;
        const rows = records.map((r) => [shortTime(r.at), r.actor, r.address ?? '', r.scope, r.action, String(r.rev ?? ''), change(r)]);
        return table(['at', 'actor', 'from', 'scope', 'action', 'rev', 'change'], rows);
      });
    }),
  );
}
