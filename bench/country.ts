/**
 * Decision rate with a country set beside a list (issue 12): a 10,000-entry
 * list alone, against the same list with the five largest countries
 * (RU,CA,US,CN,BR) switched on, random IPv4 sources, the shipped data.
 * Prints the rates, their ratio, and the shipped data's load time and size.
 *
 *   npm run bench:country
 */
import { loadShippedCountries } from '../src/geo/index.js';
import { type ScopePolicy, compileScopePolicy, decide } from '../src/policy/index.js';

const loadStart = performance.now();
const countries = loadShippedCountries();
const loadMs = performance.now() - loadStart;
const tableBytes = [countries.ipv4, countries.ipv6].reduce((sum, t) => sum + t.cells.byteLength + t.buckets.byteLength, 0);
console.log(`shipped data ${countries.source}: loaded in ${loadMs.toFixed(0)} ms, ${countries.ipv4.count} IPv4 + ${countries.ipv6.count} IPv6 intervals, ${(tableBytes / 2 ** 20).toFixed(1)} MiB of tables`);

const random = (): number => Math.floor(Math.random() * 256);
const sources = Array.from({ length: 8192 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.${random()}`);
const list = Array.from({ length: 10_000 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.0/24`).join(',');

function compiled(codes?: string): ScopePolicy {
  const result = compileScopePolicy({ scope: 'sip', enabled: true, list, ...(codes !== undefined && { countries: { enabled: true, codes } }) });
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

const compileStart = performance.now();
const withCountries = compiled('RU,CA,US,CN,BR');
console.log(`compile with countries: ${(performance.now() - compileStart).toFixed(1)} ms (the countries are codes: nothing of the data is compiled per scope)`);
const alone = compiled();

function rate(policy: ScopePolicy): number {
  const n = 2_000_000;
  const start = performance.now();
  for (let i = 0; i < n; i++) decide(policy, sources[i & 8191]!, undefined, countries);
  return n / ((performance.now() - start) / 1000);
}

for (let round = 0; round < 3; round++) {
  const a = rate(alone);
  const b = rate(withCountries);
  console.log(`list alone ${(a / 1e6).toFixed(2)} M/s, with 5 countries ${(b / 1e6).toFixed(2)} M/s, ratio ${(b / a).toFixed(2)}`);
}
