/**
 * The list file: the embedded store's seed and the edge's last-known-good
 * snapshot share one JSON format.
 *
 *   {
 *     "domains": { "pbx.acme.example": "acme" },
 *     "lists": [
 *       { "tenant": "acme", "scope": "sip", "enabled": true,
 *         "cidrs": "203.0.113.0/24, 198.51.100.7",
 *         "descriptions": { "203.0.113.0/24": "HQ office" },
 *         "countries": "DE,FR", "countriesEnabled": true }
 *     ]
 *   }
 *
 * `enabled` may be left out (on when `cidrs` is given); `descriptions` is keyed
 * by canonical entry. `countries` (ISO 3166-1 alpha-2 codes, comma-separated)
 * and `countriesEnabled` (on when `countries` is given) may be left out, as
 * in the Redis keys; a bad code is refused when the list is loaded. A snapshot also carries `"storeMarker": "<id>"`, the
 * store marker the lists were read under (store-marker.ts), so an edge
 * restarted on an emptied store still knows what it followed; older
 * snapshots without it are read as before, and the embedded store ignores
 * it. Writes are atomic: a temp file renamed over the old one.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { SCOPES, isScope } from '../policy/index.js';
import { isValidTenant } from './keys.js';
import { type ListSettings, type RawList, descriptionsOf } from './raw-list.js';

export interface ListFileContent {
  readonly domains: ReadonlyMap<string, string>;
  readonly lists: readonly RawList[];
  /** The id of the store marker a snapshot was written under. */
  readonly storeMarker?: string;
}

export type ListFileResult = { readonly ok: true; readonly content: ListFileContent } | { readonly ok: false; readonly error: string };

function isRecordOfStrings(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function readList(value: unknown, at: string): RawList | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${at}: must be an object`;
  const { tenant, scope, enabled, cidrs, descriptions, countries, countriesEnabled } = value as Record<string, unknown>;
  if (typeof tenant !== 'string' || !isValidTenant(tenant)) return `${at}.tenant: ${JSON.stringify(tenant)} is not a valid tenant name`;
  if (typeof scope !== 'string' || !isScope(scope)) return `${at}.scope: ${JSON.stringify(scope)} is not one of ${SCOPES.join(', ')}`;
  if (enabled !== undefined && typeof enabled !== 'boolean') return `${at}.enabled: must be true or false`;
  if (cidrs !== undefined && typeof cidrs !== 'string') return `${at}.cidrs: must be a comma-separated string`;
  if (descriptions !== undefined && !isRecordOfStrings(descriptions)) return `${at}.descriptions: must map entries to strings`;
  if (countries !== undefined && typeof countries !== 'string') return `${at}.countries: must be a comma-separated string of country codes`;
  if (countriesEnabled !== undefined && typeof countriesEnabled !== 'boolean') return `${at}.countriesEnabled: must be true or false`;
  const entries: Record<string, string> = {};
  for (const [entry, description] of Object.entries(descriptions ?? {})) entries[entry] = JSON.stringify({ description, active: true });
  return {
    tenant,
    scope,
    cidrs: cidrs ?? null,
    enabled: enabled === undefined ? null : enabled ? '1' : '0',
    entries,
    rev: null,
    ...(countries !== undefined && { countries }),
    ...(countriesEnabled !== undefined && { countriesEnabled: countriesEnabled ? '1' : '0' }),
  };
}

/** Parses list-file JSON; the error names the first bad field by its path. */
export function parseListFile(json: string): ListFileResult {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (err) {
    return { ok: false, error: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return { ok: false, error: 'must be a JSON object' };
  const { domains = {}, lists = [], storeMarker } = document as Record<string, unknown>;
  if (!isRecordOfStrings(domains)) return { ok: false, error: 'domains: must map SIP domains to tenant names' };
  if (storeMarker !== undefined && (typeof storeMarker !== 'string' || storeMarker === '')) return { ok: false, error: 'storeMarker: must be a marker id' };
  if (!Array.isArray(lists)) return { ok: false, error: 'lists: must be an array' };
  const parsed: RawList[] = [];
  const seen = new Set<string>();
  for (const [i, value] of lists.entries()) {
    const list = readList(value, `lists[${i}]`);
    if (typeof list === 'string') return { ok: false, error: list };
    const id = `${list.tenant}/${list.scope}`;
    if (seen.has(id)) return { ok: false, error: `lists[${i}]: ${id} is listed twice` };
    seen.add(id);
    parsed.push(list);
  }
  for (const [domain, tenant] of Object.entries(domains)) {
    if (!isValidTenant(tenant)) return { ok: false, error: `domains.${domain}: ${JSON.stringify(tenant)} is not a valid tenant name` };
  }
  const domainMap = new Map(Object.entries(domains).map(([d, t]) => [d.toLowerCase(), t]));
  return { ok: true, content: { domains: domainMap, lists: parsed, ...(storeMarker !== undefined && { storeMarker }) } };
}

export async function readListFile(path: string): Promise<ListFileResult> {
  let json: string;
  try {
    json = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, error: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
  const result = parseListFile(json);
  return result.ok ? result : { ok: false, error: `${path}: ${result.error}` };
}

/** Writes lists atomically: readers see the old file or the new one, never half of one. */
export async function writeListFile(
  path: string,
  domains: ReadonlyMap<string, string>,
  lists: readonly ListSettings[],
  storeMarker?: string,
): Promise<void> {
  const document = {
    ...(storeMarker !== undefined && { storeMarker }),
    domains: Object.fromEntries(domains),
    lists: lists.map((s) => ({
      tenant: s.tenant,
      scope: s.scope,
      enabled: s.enabled,
      cidrs: s.cidrs,
      descriptions: Object.fromEntries(descriptionsOf(s)),
      ...((s.countries.enabled || s.countries.codes !== '') && { countries: s.countries.codes, countriesEnabled: s.countries.enabled }),
    })),
  };
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(document), { mode: 0o600, flush: true });
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
