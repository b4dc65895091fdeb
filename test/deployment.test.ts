/**
 * What can be checked of the deployment files without a Docker engine: the
 * compose file parses, every variable it sets is documented, every variable
 * the code reads is documented, and the image starts the way README says.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../src/config/index.js';
import { COMPOSE_UP } from '../src/config/start-advice.js';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Variables in README's configuration table: rows that start with a `VARIABLE` cell. */
function documentedVariables(): Set<string> {
  const section = read('README.md').split('## Configuration')[1]!.split('\n## ')[0]!;
  return new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
}

/** Variables the configuration code reads: the string literals passed to its env readers. */
function variablesReadByConfig(): Set<string> {
  const dir = join(root, 'src/config');
  const names = readdirSync(dir).flatMap((file) => [...readFileSync(join(dir, file), 'utf8').matchAll(/'((?:SIPWARDEN|DRACHTIO|REDIS|SIP)_[A-Z0-9_]+)'/g)].map((m) => m[1]!));
  return new Set(names);
}

describe('deployment files', () => {
  const compose = parse(read('docker/compose.yaml')) as {
    services: Record<string, { environment?: Record<string, string>; build?: { context: string; dockerfile: string } }>;
  };

  it('has a compose file with drachtio-server, Redis, the edge and a PBX stand-in', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['drachtio', 'edge', 'pbx', 'redis']);
    expect(compose.services.edge!.build!.dockerfile).toBe('docker/Dockerfile');
  });

  it('sets only variables documented in the configuration table', () => {
    const documented = documentedVariables();
    const set = Object.keys(compose.services.edge!.environment ?? {});
    expect(set.length).toBeGreaterThan(5);
    expect(set.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('documents exactly the variables the configuration reads', () => {
    expect([...variablesReadByConfig()].sort()).toEqual([...documentedVariables()].sort());
  });

  it('leads README with the compose command, which runs from the repository root with nothing set', () => {
    expect(/^## Two commands\n+```sh\n(.+?) +#/m.exec(read('README.md'))?.[1]).toBe(COMPOSE_UP);
    expect(COMPOSE_UP).toContain(' -f docker/compose.yaml ');
    expect(read('docker/compose.yaml')).toContain(`#   ${COMPOSE_UP}\n`);
    // Every variable the compose file interpolates has a default.
    const yaml = read('docker/compose.yaml').replace(/^\s*#.*$/gm, '');
    const interpolated = [...yaml.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);
    expect(interpolated.length).toBeGreaterThan(0);
    expect(interpolated.filter((v) => !/^[A-Z_][A-Z0-9_]*:-./.test(v))).toEqual([]);
    // Build contexts are relative to the compose file's folder.
    for (const { build } of Object.values(compose.services)) {
      if (build) expect(existsSync(join(root, 'docker', build.context, build.dockerfile)), build.dockerfile).toBe(true);
    }
  });

  it('gives README\'s variables for `npm start` in the edge\'s own error when they are unset', () => {
    const loaded = loadConfig({});
    if (loaded.ok) throw new Error('started with nothing set');
    const command = /^ {2}(.+) npm start$/m.exec(loaded.report)?.[1];
    expect(command).toBe('DRACHTIO_SECRET=cymru SIP_UPSTREAM=sip:pbx.internal:5060');
    expect(loaded.report).toContain(`  ${COMPOSE_UP}\n`);
    expect(read('README.md')).toContain(`export ${command} `);
  });

  it('starts the image with the command README gives for the main job', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(read('docker/Dockerfile'))![1]!;
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect((JSON.parse(entrypoint) as string[]).join(' ')).toBe(start);
    expect(read('README.md')).toContain('npm run build && npm start');
    expect(read('README.md')).toContain(`npm start is \`${start}\``);
  });
});
