/**
 * A PolicyView over compileScopePolicy results that a test can change while
 * it runs. Stands in for the live cache (src/store) in the SIP tests.
 */
import {
  type CountryLookup,
  type Decision,
  DENY_UNAVAILABLE,
  NO_COUNTRY_DATA,
  type Scope,
  type ScopePolicy,
  compileScopePolicy,
  decide,
} from '../../src/policy/index.js';
import type { PolicyView } from '../../src/store/policy-view.js';

const OPEN: Decision = { allow: true, reason: 'scope-disabled' };

export class TestPolicyView implements PolicyView {
  ready = true;
  private readonly policies = new Map<string, ScopePolicy>();
  private readonly tenants = new Map<string, string>();
  private countries: CountryLookup = NO_COUNTRY_DATA;

  /** Sets a tenant's list for a scope; throws on a malformed list (a test bug). */
  setList(tenant: string, scope: Scope, list: string, descriptions: Record<string, string> = {}, enabled = true): this {
    const result = compileScopePolicy({ scope, enabled, list, descriptions: new Map(Object.entries(descriptions)) });
    if (!result.ok) throw new Error(result.message);
    this.policies.set(`${tenant}/${scope}`, result.policy);
    return this;
  }

  /** Sets a tenant's list and country set for a scope, deciding countries with `lookup`. */
  setCountries(tenant: string, scope: Scope, list: string, codes: string, lookup: CountryLookup): this {
    const result = compileScopePolicy({ scope, enabled: list !== '', list, countries: { enabled: true, codes } });
    if (!result.ok) throw new Error(result.message);
    this.policies.set(`${tenant}/${scope}`, result.policy);
    this.countries = lookup;
    return this;
  }

  mapDomain(domain: string, tenant: string): this {
    this.tenants.set(domain, tenant);
    return this;
  }

  decide(tenant: string, scope: Scope, source: string): Decision {
    if (!this.ready) return DENY_UNAVAILABLE;
    const policy = this.policies.get(`${tenant}/${scope}`);
    return policy === undefined ? OPEN : decide(policy, source, undefined, this.countries);
  }

  tenantForDomain(domain: string): string | undefined {
    return this.tenants.get(domain);
  }
}
