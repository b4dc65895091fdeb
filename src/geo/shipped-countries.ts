/**
 * The shipped country data: @ip-location-db/geo-whois-asn-country (CC0-1.0;
 * built from RIR delegation files and NRO statistics, CC BY 4.0, attribution
 * to nro.net), read from its CSV files into one CountryTable. CSV rather than
 * the package's .mmdb sibling because its rows are already the address ranges
 * the table is made of: no tree walk, and the same table serves every scope.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CountryTable, parseIpv6 } from '../policy/index.js';

const PACKAGE = '@ip-location-db/geo-whois-asn-country';

function packageDir(): string {
  return dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`));
}

/** The package's version, whose last part is the data's date and hour (2.3.2026061719: 2026-06-17 19h). */
export function shippedDataVersion(): string {
  return (JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

let loaded: CountryTable | undefined;

/** The shipped data, read once per process (~0.4-0.6 s, 8.4 MiB of tables and a 1.67 MiB IPv4 index) and shared: it never changes while running. */
export function loadShippedCountries(): CountryTable {
  loaded ??= readShippedCountries();
  return loaded;
}

function readShippedCountries(): CountryTable {
  const dir = packageDir();
  return CountryTable.build(`${PACKAGE}@${shippedDataVersion()}`, (v4, v6) => {
    const start = new Uint32Array(4);
    const end = new Uint32Array(4);
    eachRow(join(dir, 'geo-whois-asn-country-ipv4-num.csv'), (line, c1, c2) => {
      start[0] = Number(line.slice(0, c1));
      end[0] = Number(line.slice(c1 + 1, c2));
      v4.add(start, 0, end, 0, line.slice(c2 + 1));
    });
    eachRow(join(dir, 'geo-whois-asn-country-ipv6.csv'), (line, c1, c2) => {
      if (!parseIpv6(line, 0, c1, start, 0) || !parseIpv6(line, c1 + 1, c2, end, 0)) throw new Error(`${PACKAGE}: bad row ${line}`);
      v6.add(start, 0, end, 0, line.slice(c2 + 1));
    });
  });
}

function eachRow(file: string, row: (line: string, comma1: number, comma2: number) => void): void {
  const text = readFileSync(file, 'latin1');
  let at = 0;
  while (at < text.length) {
    let eol = text.indexOf('\n', at);
    if (eol < 0) eol = text.length;
    const lineEnd = text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (lineEnd > at) {
      const line = text.slice(at, lineEnd);
      const c1 = line.indexOf(',');
      const c2 = line.indexOf(',', c1 + 1);
      if (c1 < 0 || c2 < 0) throw new Error(`${file}: bad row ${line}`);
      row(line, c1, c2);
    }
    at = eol + 1;
  }
}
