/**
 * Decision rate with a country set beside a list (issue 12): a 10,000-entry
 * list alone, against the same list with the five largest countries
 * (RU,CA,US,CN,BR) switched on, random IPv4 sources, the shipped data, both
 * compiled with it (so the second decides through its merged table). Prints
 * the data's load time and size, the compile time and table bytes of the
 * countries in a scope, the rates and their ratio (the median ratio of many
 * short alternating pairs, and that of the fastest rounds).
 *
 *   npm run bench:country
 */
import { loadShippedCountries } from '../src/geo/index.js';
import { type ScopePolicy, compileScopePolicy, decide } from '../src/policy/index.js';
import { rangeTableBytes } from '../src/policy/range-table.js';
import { collectGarbage, measure, median, warmUp } from './lib/measure.js';

const FIVE = 'RU,CA,US,CN,BR';
const PAIRS = 200;
const PAIR_MS = 10;
const MiB = 2 ** 20;

const loadStart = performance.now();
const countries = loadShippedCountries();
const loadMs = performance.now() - loadStart;
const dataBytes = rangeTableBytes(countries.ipv4) + rangeTableBytes(countries.ipv6);
console.log(`shipped data ${countries.source}: loaded in ${loadMs.toFixed(0)} ms, ${countries.ipv4.count} IPv4 + ${countries.ipv6.count} IPv6 intervals, ${(dataBytes / MiB).toFixed(1)} MiB of tables`);

const random = (): number => Math.floor(Math.random() * 256);
const sources = Array.from({ length: 8192 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.${random()}`);
const list = Array.from({ length: 10_000 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.0/24`).join(',');

function compiled(codes?: string): ScopePolicy {
  const result = compileScopePolicy({ scope: 'sip', enabled: true, list, ...(codes !== undefined && { countries: { enabled: true, codes } }) }, countries);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

/** The median time of `runs` calls of `fn`, and its last result. */
function timed<T>(fn: () => T, runs = 5): [T, number] {
  let result: T;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    result = fn();
    times.push(performance.now() - start);
  }
  return [result!, median(times)];
}

// Another set first, so the compiler's code is optimised and the timings compare the work, not the JIT.
compiled('DE,FR');
const [alone, aloneMs] = timed(() => compiled());
// The first scope with a set filters the data into the set's shared tables (timed once: it is
// the first); the next scopes with that set reuse them.
const [withCountries, firstMs] = timed(() => compiled(FIVE), 1);
const [second, secondMs] = timed(() => compiled(FIVE));
const tables = withCountries.countryTables!;
const scopeBytes = rangeTableBytes(tables.ipv4) + rangeTableBytes(tables.ipv6);
const setBytes = rangeTableBytes(tables.set.ipv4) + rangeTableBytes(tables.set.ipv6);
if (second.countryTables!.set !== tables.set) throw new Error('two scopes with one set must share its tables');
console.log(
  `compile: the list alone ${aloneMs.toFixed(1)} ms; with ${FIVE} ${firstMs.toFixed(1)} ms the first scope (filtering the set), ${secondMs.toFixed(1)} ms the next (${(secondMs - aloneMs).toFixed(1)} ms over the list)`,
);
console.log(
  `memory: ${(scopeBytes / MiB).toFixed(2)} MiB of merged tables per scope (${tables.ipv4.count} IPv4 + ${tables.ipv6.count} IPv6 intervals), ${(setBytes / MiB).toFixed(2)} MiB of set tables shared by the scopes with that set`,
);

// Both decide alike but for the country: checked before timing, so the rates compare equal work.
for (const source of sources) {
  const a = decide(alone, source, undefined, countries);
  const b = decide(withCountries, source, undefined, countries);
  if (a.allow && (b.reason !== a.reason || b.entry?.value !== a.entry?.value)) throw new Error(`the policies disagree on ${source}`);
}
const plain = (source: string) => decide(alone, source, undefined, countries).allow;
const merged = (source: string) => decide(withCountries, source, undefined, countries).allow;
warmUp(plain, sources);
warmUp(merged, sources);
// Many short pairs in alternating order, each pair's ratio taken on its own: on a
// shared machine a busy spell lasts longer than a pair, so it slows both alike.
const ratios: number[] = [];
const ratesAlone: number[] = [];
const ratesWith: number[] = [];
collectGarbage();
for (let r = 0; r < PAIRS; r++) {
  const [first, then] = r % 2 === 0 ? [plain, merged] : [merged, plain];
  const x = measure(first, sources, { minMs: PAIR_MS, minOperations: 1, rounds: 1 }).perSecond;
  const y = measure(then, sources, { minMs: PAIR_MS, minOperations: 1, rounds: 1 }).perSecond;
  const [a, b] = first === plain ? [x, y] : [y, x];
  ratesAlone.push(a);
  ratesWith.push(b);
  ratios.push(b / a);
}
console.log(
  `list alone ${(median(ratesAlone) / 1e6).toFixed(2)} M/s, with 5 countries ${(median(ratesWith) / 1e6).toFixed(2)} M/s: ratio ${median(ratios).toFixed(2)} (median of ${PAIRS} pairs; fastest rounds ${(Math.max(...ratesWith) / Math.max(...ratesAlone)).toFixed(2)})`,
);
