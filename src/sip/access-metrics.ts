/**
 * Prometheus counters of the SIP access decisions.
 */
import { Counter, type Registry } from 'prom-client';
import type { AccessVerdict } from './access-decision.js';
import { sharedMetric } from './shared-metric.js';

export const ACCESS_DECISIONS_METRIC = 'sipwarden_sip_access_decisions_total';
export const NAME_MATCHES_METRIC = 'sipwarden_sip_name_matches_total';
export const COUNTRY_MATCHES_METRIC = 'sipwarden_sip_country_matches_total';

const LABELS = ['tenant', 'scope', 'method', 'transport', 'result'] as const;
type Label = (typeof LABELS)[number];

/**
 * Label value for what the request did not get as far as resolving. Domains
 * are never labels: the sender chooses them, and a label per domain would let
 * any sender grow the metric without bound.
 */
const UNRESOLVED = 'none';

export class AccessMetrics {
  private readonly decisions: Counter<Label>;
  private readonly nameMatches: Counter<'tenant' | 'scope' | 'name'>;
  private readonly countryMatches: Counter<'tenant' | 'scope' | 'country'>;

  constructor(registry: Registry) {
    this.decisions = sharedMetric(
      registry,
      ACCESS_DECISIONS_METRIC,
      () =>
        new Counter({
          name: ACCESS_DECISIONS_METRIC,
          help: 'Out-of-dialog SIP requests checked against the allowlists, by tenant, scope, method, transport and result (allow or deny).',
          labelNames: LABELS,
          registers: [registry],
        }),
    );
    // Names are labels here, unlike domains: admins list them, senders cannot make up new ones.
    this.nameMatches = sharedMetric(
      registry,
      NAME_MATCHES_METRIC,
      () =>
        new Counter({
          name: NAME_MATCHES_METRIC,
          help: 'Out-of-dialog SIP requests allowed through a DNS name entry (their source is an address the name resolves to now), by tenant, scope and name.',
          labelNames: ['tenant', 'scope', 'name'],
          registers: [registry],
        }),
    );
    // Countries are labels only for requests a country set allowed: bounded by the codes admins chose
    // (at most 250 a scope); the country of a denied source is in the decision log line only.
    this.countryMatches = sharedMetric(
      registry,
      COUNTRY_MATCHES_METRIC,
      () =>
        new Counter({
          name: COUNTRY_MATCHES_METRIC,
          help: "Out-of-dialog SIP requests allowed by a scope's country set (reason country-allowed), by tenant, scope and country.",
          labelNames: ['tenant', 'scope', 'country'],
          registers: [registry],
        }),
    );
  }

  count(verdict: AccessVerdict): void {
    this.decisions.inc({
      tenant: verdict.tenant ?? UNRESOLVED,
      scope: verdict.scope ?? UNRESOLVED,
      method: verdict.method,
      transport: verdict.transport ?? UNRESOLVED,
      result: verdict.allow ? 'allow' : 'deny',
    });
    const resolved = verdict.entry?.resolved;
    if (resolved !== undefined) this.nameMatches.inc({ tenant: verdict.tenant ?? UNRESOLVED, scope: verdict.scope ?? UNRESOLVED, name: resolved.name });
    if (verdict.reason === 'country-allowed' && verdict.country !== undefined) {
      this.countryMatches.inc({ tenant: verdict.tenant ?? UNRESOLVED, scope: verdict.scope ?? UNRESOLVED, country: verdict.country });
    }
  }
}
