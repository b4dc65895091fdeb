/**
 * `sipwarden domain map | unmap | list`: which tenant a SIP domain belongs to.
 */
import type { Command } from 'commander';
import { type JsonOptions, withJson } from '../options.js';
import { run } from '../session.js';
import { table } from '../table.js';

export function registerDomains(program: Command): void {
  const domains = program.command('domain').description('map SIP domains to tenants');

  withJson(domains.command('map <domain> <tenant>').description("send the domain's SIP requests to the tenant's lists")).action(
    (domain: string, tenant: string, options: JsonOptions) =>
      run(options, async ({ admin }, out) => {
        const result = await admin.mapDomain(domain, tenant);
        if (!result.ok) return out.refused(result.failure);
        return out.result({ domain: domain.toLowerCase(), tenant }, () => `${domain.toLowerCase()} -> ${tenant}`);
      }),
  );

  withJson(domains.command('unmap <domain>').description('remove the mapping of a domain')).action((domain: string, options: JsonOptions) =>
    run(options, async ({ admin }, out) => {
      const result = await admin.unmapDomain(domain);
      if (!result.ok) return out.refused(result.failure, 'run `sipwarden domain list` to see the mappings');
      return out.result({ domain: domain.toLowerCase(), unmapped: true }, () => `unmapped ${domain.toLowerCase()}`);
    }),
  );

  withJson(domains.command('list').description('list the domain mappings')).action((options: JsonOptions) =>
    run(options, async ({ admin }, out) => {
      const mappings = [...(await admin.listDomains())].sort(([a], [b]) => a.localeCompare(b)).map(([domain, tenant]) => ({ domain, tenant }));
      return out.result(mappings, () => {
        if (mappings.length === 0) return 'no domains mapped; add one with `sipwarden domain map <domain> <tenant>`';
        return table(['domain', 'tenant'], mappings.map((m) => [m.domain, m.tenant]));
      });
    }),
  );
}
