/**
 * `sipwarden check <ip>`: what the stored list decides for an address, and why.
 */
import type { Command } from 'commander';
import { type DecisionReason, isIpAddress } from '../../../policy/index.js';
import type { CheckResult } from '../../list-admin.js';
import { ExitCode } from '../exit-codes.js';
import { type ListOptions, listIdOf, withList } from '../options.js';
import { badUsage } from '../output.js';
import { run } from '../session.js';

interface CheckOptions extends ListOptions {
  readonly exitStatus?: boolean;
}

const WHY: Readonly<Record<Exclude<DecisionReason, 'matched' | 'country-allowed'>, string>> = {
  'scope-disabled': 'the scope is switched off (or was never set up): every address is allowed',
  'no-match': 'no active entry contains it',
  'empty-list': 'the scope is on with no active entries',
  'bad-source-address': 'not an IP address',
  'policy-unavailable': 'no valid list is known for the scope',
};

const EXIT_STATUS = `
Exits 0 for allow and deny alike; read "allow" from the output or --json. With
--exit-status, for shell scripts: 0 allowed; 1 denied (or no valid stored list
to decide by: an edge without an earlier copy of it denies too); 2 usage error,
an address that is not one included; 3 Redis unreachable.`;

const ADDRESS_EXAMPLE = 'give one IPv4 or IPv6 address, e.g. 203.0.113.5';

/** Where the country data places the address, and whether that decided. */
function countryNote(decision: CheckResult): string {
  if (decision.addressCountry === undefined) return 'no country known for the address';
  return `country ${decision.addressCountry}${decision.reason === 'country-allowed' ? ' (it decided)' : ''}`;
}

function matchedEntry(decision: CheckResult): string {
  if (decision.reason === 'country-allowed') return `its country ${decision.country} is in the scope's allowed countries`;
  if (decision.reason !== 'matched') return WHY[decision.reason];
  const entry = decision.entry!;
  const through = entry.resolved ? ` which resolves to ${entry.resolved.address}` : '';
  return `matched ${entry.value}${entry.description ? ` (${entry.description})` : ''}${through}`;
}

/** Why, with the names that fail to resolve: a failed one matches nothing, one in grace its last addresses. */
function why(decision: CheckResult): string {
  const failing = (decision.failing ?? []).map((n) =>
    n.state === 'failed'
      ? `${n.name} fails to resolve${n.failure ? ` (${n.failure})` : ''}: it matches nothing`
      : `${n.name} fails to resolve${n.failure ? ` (${n.failure})` : ''}: its last addresses stay allowed for the grace period`,
  );
  return [matchedEntry(decision), ...failing, countryNote(decision)].join('; ');
}

export function registerCheck(program: Command): void {
  const command = program
    .command('check <ip>')
    .description('show whether the list allows an address, and the entry that matched (through a DNS name: the name and the address it resolves to now)')
    .addHelpText('after', EXIT_STATUS);
  withList(command)
    .option('--exit-status', 'exit 0 when the address is allowed, 1 when it is denied')
    .action((ip: string, options: CheckOptions) => {
      // With --exit-status, 1 means denied: an argument that is no address is a usage error instead.
      if (!isIpAddress(ip) && options.exitStatus) badUsage(command, `${JSON.stringify(ip)} is not an IP address: ${ADDRESS_EXAMPLE}`);
      return run(options, async ({ admin }, out) => {
        const id = listIdOf(options);
        const result = await admin.check(id, ip);
        if (!result.ok) return out.refused(result.failure, result.failure.kind === 'invalid' ? ADDRESS_EXAMPLE : undefined);
        const decision = result.value;
        const shown = out.result({ tenant: id.tenant, scope: id.scope, address: ip, ...decision }, () => {
          return `${decision.allow ? 'allow' : 'deny'} ${ip} in ${id.tenant}/${id.scope}: ${why(decision)}`;
        });
        return options.exitStatus && !decision.allow ? ExitCode.denied : shown;
      });
    });
}
