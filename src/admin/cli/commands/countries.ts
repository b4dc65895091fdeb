/**
 * `sipwarden countries set | enable | disable`: a scope's allowed countries
 * beside its list (the Dialer seed's "Countries IP ACL"): a source is allowed
 * when the list matches it or its country is in the set, each with its own
 * switch.
 */
import type { Command } from 'commander';
import type { CountryChange } from '../../list-admin.js';
import { type ActorOptions, type ListOptions, actorOf, listIdOf, withActor, withList } from '../options.js';
import { run } from '../session.js';

const CODES_HELP = `
Codes are ISO 3166-1 alpha-2 (DE, FR, US; GB, not UK), comma-separated, any
case (stored upper case, sorted); every bad one is named and nothing changes.
'' is the empty set. The lockout guard counts countries: switching them on
without your country, or removing it, is refused unless --force.`;

interface SetOptions extends ListOptions, ActorOptions {
  readonly enable?: boolean;
}

function applying(command: Command, change: (codes: string | undefined, options: SetOptions) => CountryChange, done: string): void {
  command.action((...args: unknown[]) => {
    const options = args[args.length - 2] as SetOptions;
    const codes = args.length > 2 ? (args[0] as string) : undefined;
    return run(options, async ({ admin }, out) => {
      const id = listIdOf(options);
      const result = await admin.setCountries(actorOf(options), id, change(codes, options));
      if (!result.ok) return out.refused(result.failure);
      const { rev, countries } = result.value;
      const shown = countries.codes.length === 0 ? '(none)' : countries.codes.join(',');
      return out.result({ tenant: id.tenant, scope: id.scope, countries, rev }, () => `${id.tenant}/${id.scope} countries ${done}: ${shown}, ${countries.enabled ? 'on' : 'off'}; rev ${rev}`);
    });
  });
}

export function registerCountries(program: Command): void {
  const countries = program.command('countries').description("a scope's allowed countries, beside its list (shown by `sipwarden show`)").addHelpText('after', CODES_HELP);
  const set = withActor(withList(countries.command('set <codes>').description('make these the allowed countries (the switch stays as it is, unless --enable)')));
  set.option('--enable', 'also switch the countries on');
  applying(set, (codes, options) => ({ codes: codes!, ...(options.enable && { enabled: true }) }), 'set');
  for (const enabled of [true, false]) {
    const name = enabled ? 'enable' : 'disable';
    const toggle = withActor(
      withList(countries.command(name).description(enabled ? 'switch the countries on: their addresses are allowed beside the list' : 'switch the countries off; the set is kept')),
    );
    applying(toggle, () => ({ enabled }), `${name}d`);
  }
}
