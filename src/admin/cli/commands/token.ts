/**
 * `sipwarden token create | revoke | list`: bearer tokens for the admin API.
 * Redis keeps only a hash of each secret, so a token is printed once, when
 * it is created.
 */
import { type Command, Option } from 'commander';
import { ALL_TENANTS } from '../../api-tokens.js';
import { type JsonOptions, actorOption, tenantName, withJson } from '../options.js';
import { run } from '../session.js';
import { shortTime, table } from '../table.js';

interface CreateOptions extends JsonOptions {
  readonly tenant: string;
  readonly name: string;
  readonly actor: string;
}

const tokenTenant = (text: string) => (text === ALL_TENANTS ? text : tenantName(text));

export function registerTokens(program: Command): void {
  const tokens = program.command('token').description('create, revoke and list the admin API\'s bearer tokens');

  const create = tokens
    .command('create')
    .description('create a token and print it: this is the only time it is shown')
    .addOption(new Option('-t, --tenant <tenant>', 'the tenant it may manage, or * for every tenant').makeOptionMandatory().argParser(tokenTenant))
    .requiredOption('--name <name>', 'what it is for (the portal, a script), shown by `token list`')
    .addOption(actorOption())
    .addHelpText('after', '\nThe token alone goes to stdout, so TOKEN=$(sipwarden token create --tenant acme --name portal) keeps it.');
  withJson(create).action((options: CreateOptions) =>
    run(options, async ({ tokens: store }, out) => {
      const { token, info } = await store.create(options.tenant, options.name, options.actor);
      out.note(`token ${info.id} for ${info.tenant === ALL_TENANTS ? 'every tenant' : `tenant ${info.tenant}`} ("${info.name}"): store it now, it is not shown again`);
      return out.result({ token, ...info }, () => token);
    }),
  );

  withJson(tokens.command('revoke <id>').description('revoke a token: requests with it are refused from now on')).action((id: string, options: JsonOptions) =>
    run(options, async ({ tokens: store }, out) => {
      if (!(await store.revoke(id))) return out.refused({ kind: 'not-found', message: `no token with id ${id}` }, 'run `sipwarden token list` to see the ids');
      return out.result({ id, revoked: true }, () => `revoked token ${id}`);
    }),
  );

  withJson(tokens.command('list').description('list the tokens (never their secrets)')).action((options: JsonOptions) =>
    run(options, async ({ tokens: store }, out) => {
      const all = (await store.list()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      return out.result(all, () => {
        if (all.length === 0) return 'no tokens; create one with `sipwarden token create --tenant <tenant> --name <name>`';
        return table(['id', 'tenant', 'name', 'created', 'by'], all.map((t) => [t.id, t.tenant, t.name, shortTime(t.createdAt), t.createdBy]));
      });
    }),
  );
}
