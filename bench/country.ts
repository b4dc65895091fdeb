/**
 * Decision rate with a country set beside a list (issue 12): a 10,000-entry
 * list alone, against the same list with the five largest countries
 * (RU,CA,US,CN,BR) switched on, random IPv4 sources, the shipped data, both
 * compiled with it. Prints the data's load time and size, the IPv4 index's
 * build time and bytes (once per data), what a scope's set costs to compile
 * and hold, the country lookup's rate through the index and by the range
 * table's search, and the decision rates with their ratio (the median ratio
 * of many short alternating pairs, and that of the fastest rounds).
 *
 *   npm run bench:country
 */
import { loadShippedCountries } from '../src/geo/index.js';
import { type ScopePolicy, compileScopePolicy, decide, ipv4CountryIndexBytes, parseAddress } from '../src/policy/index.js';
import { buildIpv4CountryIndex, ownerOfIpv4Indexed } from '../src/policy/ipv4-country-index.js';
import { ownerOfIpv4, rangeTableBytes } from '../src/policy/range-table.js';
import { collectGarbage, measure, median, timeRuns, warmUp } from './lib/measure.js';

const FIVE = 'RU,CA,US,CN,BR';
const PAIRS = 200;
const PAIR_MS = 10;
const MiB = 2 ** 20;

const loadStart = performance.now();
const countries = loadShippedCountries();
const loadMs = performance.now() - loadStart;
const dataBytes = rangeTableBytes(countries.ipv4) + rangeTableBytes(countries.ipv6);
console.log(`shipped data ${countries.source}: loaded in ${loadMs.toFixed(0)} ms, ${countries.ipv4.count} IPv4 + ${countries.ipv6.count} IPv6 intervals, ${(dataBytes / MiB).toFixed(1)} MiB of tables`);

// The data builds its index as it loads; built again here only to time it.
const build = timeRuns(() => buildIpv4CountryIndex(countries.ipv4, countries.codes.length), 5, 0);
const index = countries.ipv4Index;
console.log(
  `IPv4 index: built in ${build.medianMs.toFixed(1)} ms (median of ${build.runs.length}), ${(ipv4CountryIndexBytes(index) / MiB).toFixed(2)} MiB per data ` +
    `(${index.top.byteLength / 1024} KiB of /16s, ${index.nodes.length / 16} nodes of 16 /20s or /24s), shared by every scope`,
);

const random = (): number => Math.floor(Math.random() * 256);
const sources = Array.from({ length: 8192 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.${random()}`);
const list = Array.from({ length: 10_000 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.0/24`).join(',');

function compiled(codes?: string): ScopePolicy {
  const result = compileScopePolicy({ scope: 'sip', enabled: true, list, ...(codes !== undefined && { countries: { enabled: true, codes } }) }, countries);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

// Another set first, so the compiler's code is optimised and the timings compare the work, not the JIT.
compiled('DE,FR');
const alone = timeRuns(() => compiled(), 5, 0);
const withFive = timeRuns(() => compiled(FIVE), 5, 0);
const withCountries = withFive.result;
const perCountry = withCountries.allowedCountries!.byOwner.length;
console.log(`compile: the list alone ${alone.medianMs.toFixed(1)} ms, with ${FIVE} ${withFive.medianMs.toFixed(1)} ms (median of 5)`);
console.log(`memory: ${perCountry} decisions (a pointer each, frozen objects shared) per scope with a set on, nothing of the data copied into a scope`);

/**
 * The median rates of `a` and `b` and of their ratio b/a over many short pairs in
 * alternating order, each pair's ratio taken on its own: on a shared machine a busy
 * spell lasts longer than a pair, so it slows both alike.
 */
function paired<T>(a: (input: T) => unknown, b: (input: T) => unknown, inputs: readonly T[]): { a: number; b: number; ratio: number; fastest: number } {
  warmUp(a, inputs);
  warmUp(b, inputs);
  const ratesA: number[] = [];
  const ratesB: number[] = [];
  const ratios: number[] = [];
  collectGarbage();
  for (let r = 0; r < PAIRS; r++) {
    const [first, then] = r % 2 === 0 ? [a, b] : [b, a];
    const x = measure(first, inputs, { minMs: PAIR_MS, minOperations: 1, rounds: 1 }).perSecond;
    const y = measure(then, inputs, { minMs: PAIR_MS, minOperations: 1, rounds: 1 }).perSecond;
    const [ra, rb] = first === a ? [x, y] : [y, x];
    ratesA.push(ra);
    ratesB.push(rb);
    ratios.push(rb / ra);
  }
  return { a: median(ratesA), b: median(ratesB), ratio: median(ratios), fastest: Math.max(...ratesB) / Math.max(...ratesA) };
}

const M = (rate: number): string => `${(rate / 1e6).toFixed(2)} M/s`;

// The country lookup alone, on parsed addresses: through the index, and by the search it replaces.
const words = new Uint32Array(4);
const addresses = sources.map((source) => (parseAddress(source, words), words[0]!));
for (const address of addresses) {
  if (ownerOfIpv4Indexed(index, countries.ipv4, address) !== ownerOfIpv4(countries.ipv4, address)) throw new Error(`the index disagrees on ${address}`);
}
const lookups = paired(
  (address: number) => ownerOfIpv4(countries.ipv4, address) >= 0,
  (address: number) => ownerOfIpv4Indexed(index, countries.ipv4, address) >= 0,
  addresses,
);
console.log(`country lookup: by search ${M(lookups.a)}, through the index ${M(lookups.b)} (${lookups.ratio.toFixed(1)}x)`);

// Both decide alike but for the country: checked before timing, so the rates compare equal work.
for (const source of sources) {
  const a = decide(alone.result, source, undefined, countries);
  const b = decide(withCountries, source, undefined, countries);
  if (a.allow && (b.reason !== a.reason || b.entry?.value !== a.entry?.value)) throw new Error(`the policies disagree on ${source}`);
}
const decisions = paired(
  (source: string) => decide(alone.result, source, undefined, countries).allow,
  (source: string) => decide(withCountries, source, undefined, countries).allow,
  sources,
);
console.log(
  `list alone ${M(decisions.a)}, with 5 countries ${M(decisions.b)}: ratio ${decisions.ratio.toFixed(2)} (median of ${PAIRS} pairs; fastest rounds ${decisions.fastest.toFixed(2)})`,
);
