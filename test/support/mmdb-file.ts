/**
 * Writes a small country .mmdb (MaxMind DB format 2.0: an IPv6 search tree
 * with 24-bit records, IPv4 under ::/96, each leaf a record
 * {country: {iso_code}}) for tests of SIPWARDEN_GEOIP_DB, so no test needs a
 * downloaded database. Only what the format needs for these records is
 * encoded: maps, UTF-8 strings, unsigned integers and one array.
 */
import { parseAddress } from '../../src/policy/index.js';

type Value = string | number | bigint | readonly Value[] | { readonly [key: string]: Value };

function control(type: number, size: number): number[] {
  if (size >= 29) throw new Error('test mmdb: sizes of 29 and more are not written');
  return type <= 7 ? [(type << 5) | size] : [size, type - 7];
}

function encode(value: Value): number[] {
  if (typeof value === 'string') {
    const bytes = [...Buffer.from(value, 'utf8')];
    return [...control(2, bytes.length), ...bytes];
  }
  if (typeof value === 'number' || typeof value === 'bigint') {
    const bytes: number[] = [];
    for (let v = BigInt(value); v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn));
    // uint16 (5) / uint32 (6) / uint64 (9) by the size of the value.
    return [...control(bytes.length <= 2 ? 5 : bytes.length <= 4 ? 6 : 9, bytes.length), ...bytes];
  }
  if (Array.isArray(value)) return [...control(11, value.length), ...value.flatMap(encode)];
  const entries = Object.entries(value);
  return [...control(7, entries.length), ...entries.flatMap(([k, v]) => [...encode(k), ...encode(v)])];
}

/** `ranges`: [cidr, country code] (IPv4 or IPv6 blocks). */
export function countryMmdb(ranges: readonly (readonly [string, string])[], buildEpoch = 1_767_225_600): Buffer {
  // The trie: node -> [left, right]; a child is a node index, a data record (-1 - index) or absent (undefined).
  const nodes: (number | undefined)[][] = [[undefined, undefined]];
  const data: number[] = [];
  const dataAt = new Map<string, number>();
  const words = new Uint32Array(4);
  for (const [cidr, code] of ranges) {
    const [address, length] = cidr.split('/') as [string, string];
    const family = parseAddress(address, words);
    if (family === 0) throw new Error(cidr);
    const bits = family === 4 ? 96 + Number(length) : Number(length);
    const bitAt = (i: number): number => (family === 4 ? (i < 96 ? 0 : (words[0]! >>> (31 - (i - 96))) & 1) : (words[i >>> 5]! >>> (31 - (i & 31))) & 1);
    let at = dataAt.get(code);
    if (at === undefined) {
      at = data.length;
      data.push(...encode({ country: { iso_code: code } }));
      dataAt.set(code, at);
    }
    let node = 0;
    for (let i = 0; i < bits - 1; i++) {
      const bit = bitAt(i);
      let next = nodes[node]![bit];
      if (next === undefined || next < 0) {
        next = nodes.length;
        nodes.push([undefined, undefined]);
        nodes[node]![bit] = next;
      }
      node = next;
    }
    nodes[node]![bitAt(bits - 1)] = -1 - at;
  }
  const count = nodes.length;
  const tree = Buffer.alloc(count * 6);
  nodes.forEach((children, n) => {
    children.forEach((child, side) => {
      const record = child === undefined ? count : child >= 0 ? child : count + 16 + (-1 - child);
      tree.writeUIntBE(record, n * 6 + side * 3, 3);
    });
  });
  const metadata = encode({
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: BigInt(buildEpoch),
    database_type: 'sipwarden-test-Country',
    description: { en: 'sipwarden test countries' },
    ip_version: 6,
    languages: ['en'],
    node_count: count,
    record_size: 24,
  });
  return Buffer.concat([tree, Buffer.alloc(16), Buffer.from(data), Buffer.from('\xab\xcd\xefMaxMind.com', 'latin1'), Buffer.from(metadata)]);
}
