/**
 * prom-client refuses a second metric of the same name in a registry; two
 * filters or edges on one registry share it instead.
 */
import type { Metric, Registry } from 'prom-client';

export function sharedMetric<T extends Metric>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}
