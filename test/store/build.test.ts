/**
 * The .lua files ship with the build: `npm run build` in a copy of what the
 * Docker image builds from (package.json, the tsconfigs, src), then plain
 * node, no tsx, loads dist and runs the scripts on a real redis-server.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisServer } from '../support/redis-server.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const scripts = 'store/scripts';

/** Runs a command, resolving with its status and output whether it succeeds or not. */
async function status(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  try {
    // tsc takes 5 s on an idle machine, and several times that beside the other suites.
    const { stdout, stderr } = await run(command, args, { ...options, timeout: 150_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const PROBE = `
import { pino } from 'pino';
import { KeySchema } from './dist/store/keys.js';
import { connectRedis, createRedisClient } from './dist/store/redis-connection.js';
import { RedisListSource } from './dist/store/redis-source.js';
import { RedisListWriter } from './dist/store/redis-writer.js';

const client = createRedisClient({ url: process.env.PROBE_REDIS_URL, commandTimeoutMs: 5000 });
if (!(await connectRedis(client, 5000))) throw new Error('no redis');
const keys = new KeySchema();
const source = new RedisListSource(client, keys, pino({ level: 'silent' }));
const writer = new RedisListWriter(client, keys, source);
const id = { tenant: 'dist.example', scope: 'sip' };
const written = await writer.write(id, { enabled: true, entries: [{ value: '192.0.2.0/24', active: true }] }, { actor: 'dist' });
const { fingerprints } = await source.fingerprints();
console.log(JSON.stringify({ written: written.ok, fingerprints: fingerprints.size, single: await source.fingerprint(id) === fingerprints.get('dist.example\\u0000sip') }));
client.disconnect();
`;

describe('npm run build', () => {
  let copy: string;
  let build: { code: number | undefined; stdout: string; stderr: string };

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'sipwarden-build-'));
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json']) cpSync(join(root, file), join(copy, file));
    cpSync(join(root, 'src'), join(copy, 'src'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
    build = await status('npm', ['run', 'build'], { cwd: copy });
  }, 180_000);
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('puts every .lua file beside the compiled store modules', () => {
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const files = readdirSync(join(root, 'src', scripts)).filter((f) => f.endsWith('.lua'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(join(copy, 'dist', scripts, file), 'utf8'), file).toBe(readFileSync(join(root, 'src', scripts, file), 'utf8'));
  });

  it('starts from dist: every module loads, scripts included, before the configuration is refused', async () => {
    const started = await status('node', ['dist/main.js'], { cwd: copy, env: { PATH: process.env.PATH } });
    expect(started.stderr).not.toMatch(/ENOENT|\.lua|ERR_MODULE_NOT_FOUND/);
    expect(started.code, started.stderr).toBe(2);
  });

  it('runs the scripts from dist on a real Redis', async () => {
    const redis = await RedisServer.start();
    try {
      writeFileSync(join(copy, 'probe.mjs'), PROBE);
      const probe = await status('node', ['probe.mjs'], { cwd: copy, env: { PATH: process.env.PATH, PROBE_REDIS_URL: redis.url } });
      expect(probe.code, probe.stderr).toBe(0);
      expect(JSON.parse(probe.stdout)).toEqual({ written: true, fingerprints: 1, single: true });
    } finally {
      await redis.stop();
    }
  });
});
