/**
 * Decision rate with a country set beside a list (issue 12): a 10,000-entry
 * list alone, against the same list with the five largest countries
 * (RU,CA,US,CN,BR) switched on, random IPv4 sources, the shipped data, both
 * compiled with it. Prints the data's load time and size, the IPv4 index's
 * build time and bytes (once per data), what a scope's set costs to compile
 * and hold, the country lookup's rate through the index and by the range
 * table's search, and the decision rates with their ratio (the median ratio
 * of many short alternating pairs, and that of the fastest rounds), both
 * policies decided through one call site, as at the edge: the decision
 * handed back, and the answer branched on.
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
    `(${index.top.byteLength / 1024} KiB of /16s, ${index.nodes.length / 16 - index.search - 1} nodes of 16 /20s or /24s after ${index.search + 1} leaves), shared by every scope`,
);

const random = (): number => Math.floor(Math.random() * 256);
const sources = Array.from({ length: 8192 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.${random()}`);
const list = Array.from({ length: 10_000 }, () => `${1 + Math.floor(Math.random() * 223)}.${random()}.${random()}.0/24`).join(',');

function compiled(codes?: string): ScopePolicy {
  const result = compileScopePolicy({ scope: 'sip', enabled: true, list, ...(codes !== undefined && { countries: { enabled: true, codes } }) }, countries);
  if (!result.ok) throw new Error(result.message);
  return result.policy;
}

// Another set first, so the compiler's code is optimised and the timings compare the work, not the JIT;
// then the two alternately, so neither is the one that pays for warming up.
compiled('DE,FR');
const compileMs: [number[], number[]] = [[], []];
for (let r = 0; r < 5; r++) {
  for (const [i, codes] of [[0, undefined], [1, FIVE]] as const) {
    const start = performance.now();
    compiled(codes);
    compileMs[i].push(performance.now() - start);
  }
}
const alone = compiled();
const withCountries = compiled(FIVE);
console.log(`compile: the list alone ${median(compileMs[0]).toFixed(1)} ms, with ${FIVE} ${median(compileMs[1]).toFixed(1)} ms (median of 5)`);
const { byOwner, listed } = withCountries.allowedCountries!;
console.log(
  `memory: per scope with a set on, ${byOwner.length} decisions (a pointer each, frozen objects shared) and ${(listed?.byteLength ?? 0) / 1024} KiB of the list's /20s; nothing of the data copied into a scope`,
);

/** One side of a pair: what it measures, and what to set before it does. */
interface Side<T> {
  readonly operation: (input: T) => unknown;
  readonly before?: () => void;
}

/**
 * The median rates of `a` and `b` and of their ratio b/a over many short pairs in
 * alternating order, each pair's ratio taken on its own: on a shared machine a busy
 * spell lasts longer than a pair, so it slows both alike.
 */
function paired<T>(a: Side<T>, b: Side<T>, inputs: readonly T[]): { a: number; b: number; ratio: number; fastest: number } {
  const run = (side: Side<T>): number => {
    side.before?.();
    return measure(side.operation, inputs, { minMs: PAIR_MS, minOperations: 1, rounds: 1 }).perSecond;
  };
  for (const side of [a, b]) {
    side.before?.();
    warmUp(side.operation, inputs);
  }
  const ratesA: number[] = [];
  const ratesB: number[] = [];
  const ratios: number[] = [];
  collectGarbage();
  for (let r = 0; r < PAIRS; r++) {
    const first = r % 2 === 0 ? run(a) : run(b);
    const then = r % 2 === 0 ? run(b) : run(a);
    const [x, y] = r % 2 === 0 ? [first, then] : [then, first];
    ratesA.push(x);
    ratesB.push(y);
    ratios.push(y / x);
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
  { operation: (address: number) => ownerOfIpv4(countries.ipv4, address) >= 0 },
  { operation: (address: number) => ownerOfIpv4Indexed(index, countries.ipv4, address) >= 0 },
  addresses,
);
console.log(`country lookup: by search ${M(lookups.a)}, through the index ${M(lookups.b)} (${lookups.ratio.toFixed(1)}x)`);

// Both decide alike but for the country: checked before timing, so the rates compare equal work.
for (const source of sources) {
  const a = decide(alone, source, undefined, countries);
  const b = decide(withCountries, source, undefined, countries);
  if (a.allow && (b.reason !== a.reason || b.entry?.value !== a.entry?.value)) throw new Error(`the policies disagree on ${source}`);
}
// One call site decides for both policies, as the edge's does for every scope: a
// loop of its own per policy would let the JIT fold the policy in as a constant
// and drop the country step from the list-alone loop's code, which no edge runs.
// Timed twice: handing back the decision, and branching on its answer in the
// loop. The list alone denies nearly every random source, so its branch is
// always predicted; with the five countries 56% are allowed, at random, and
// each mispredicted branch throws away the next decisions' reads under way.
// That second cost is the tight loop's: at the edge the branch sits among
// tens of microseconds of SIP work per request.
let policy = alone;
const decisionAtTheEdge = (source: string) => decide(policy, source, undefined, countries);
const answerAtTheEdge = (source: string) => decide(policy, source, undefined, countries).allow;
for (const [what, operation] of [['the decision', decisionAtTheEdge], ['branching on its answer', answerAtTheEdge]] as const) {
  const decisions = paired({ operation, before: () => (policy = alone) }, { operation, before: () => (policy = withCountries) }, sources);
  console.log(
    `${what}: list alone ${M(decisions.a)}, with 5 countries ${M(decisions.b)}: ratio ${decisions.ratio.toFixed(2)} (median of ${PAIRS} pairs; fastest rounds ${decisions.fastest.toFixed(2)})`,
  );
}
