/**
 * `sipwarden check <ip>`: what the stored list decides for an address, and why.
 */
import type { Command } from 'commander';
import { type Decision, type DecisionReason, parseAddress } from '../../../policy/index.js';
import { type ListOptions, listIdOf, withList } from '../options.js';
import { run } from '../session.js';

const WHY: Readonly<Record<Exclude<DecisionReason, 'matched'>, string>> = {
  'scope-disabled': 'the scope is switched off (or was never set up): every address is allowed',
  'no-match': 'no active entry contains it',
  'empty-list': 'the scope is on with no active entries',
  'bad-source-address': 'not an IP address',
  'policy-unavailable': 'no valid list is known for the scope',
};

function why(decision: Decision): string {
  if (decision.reason !== 'matched') return WHY[decision.reason];
  const entry = decision.entry!;
  return `matched ${entry.value}${entry.description ? ` (${entry.description})` : ''}`;
}

export function registerCheck(program: Command): void {
  const command = program
    .command('check <ip>')
    .description('show whether the list allows an address, and the entry that matched')
    .addHelpText('after', '\nExits 0 for allow and deny alike; read "allow" from the output or --json.');
  withList(command).action((ip: string, options: ListOptions) =>
    run(options, async ({ admin }, out) => {
      const id = listIdOf(options);
      if (parseAddress(ip, new Uint32Array(4)) === 0) {
        return out.refused({ kind: 'invalid', message: `${JSON.stringify(ip)} is not an IP address` }, 'give one IPv4 or IPv6 address, e.g. 203.0.113.5');
      }
      const result = await admin.check(id, ip);
      if (!result.ok) return out.refused(result.failure);
      const decision = result.value;
      return out.result({ tenant: id.tenant, scope: id.scope, address: ip, ...decision }, () => {
        return `${decision.allow ? 'allow' : 'deny'} ${ip} in ${id.tenant}/${id.scope}: ${why(decision)}`;
      });
    }),
  );
}
