/**
 * The composition root follows SIPWARDEN_GEOIP_DB: the edge's cache decides
 * with the reloaded file, the reload is counted on /metrics, and closing the
 * app stops the watcher. Embedded list store, no drachtio-server needed.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, expect, it } from 'vitest';
import { startSipwarden } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { capturingLogger } from '../support/logger.js';
import { countryMmdb } from '../support/mmdb-file.js';
import { freePort, until } from '../support/net.js';

const dir = mkdtempSync(join(tmpdir(), 'geoip-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reloads a replaced .mmdb into the running edge, counts it, and stops watching on close', async () => {
  const mmdb = join(dir, 'GeoLite2-Country.mmdb');
  writeFileSync(mmdb, countryMmdb([['127.0.0.2/32', 'FR']]));
  const lists = join(dir, 'lists.json');
  writeFileSync(lists, JSON.stringify({ lists: [{ tenant: 'default', scope: 'sip', cidrs: '127.0.0.4', countries: 'DE' }] }));
  const loaded = loadConfig({
    DRACHTIO_PORT: String(await freePort()), // nothing listens: the edge keeps retrying
    DRACHTIO_SECRET: 'cymru',
    SIP_UPSTREAM: 'sip:127.0.0.1:5070',
    SIPWARDEN_HTTP_HOST: '127.0.0.1',
    SIPWARDEN_HTTP_PORT: '0',
    SIPWARDEN_LISTS_FILE: lists,
    SIPWARDEN_GEOIP_DB: mmdb,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const { logger, lines } = capturingLogger();
  const started = await startSipwarden(loaded.config, logger, new Registry());
  if (!started.ok) throw new Error(started.message);
  const { app } = started;
  const decide = () => app.cache.decide('default', 'sip', '127.0.0.2');
  try {
    await until(() => app.cache.ready, 2000, 'the lists loaded');
    expect(decide()).toEqual({ allow: false, reason: 'no-match', country: 'FR' });
    writeFileSync(join(dir, 'new.mmdb'), countryMmdb([['127.0.0.2/32', 'DE']]));
    renameSync(join(dir, 'new.mmdb'), mmdb);
    await until(() => decide().allow, 3000, 'the reloaded data deciding');
    expect(decide()).toEqual({ allow: true, reason: 'country-allowed', country: 'DE' });
    const metrics = await (await fetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^sipwarden_country_data_reloads_total\{outcome="reloaded"\} 1$/m);
  } finally {
    await app.close();
  }
  writeFileSync(mmdb, 'garbage after close');
  await new Promise((resolve) => setTimeout(resolve, 800));
  expect(lines().filter((l) => l.msg === 'country data refused')).toEqual([]);
});
