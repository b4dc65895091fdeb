/**
 * `sipwarden store init | status` as admins run them: subprocesses against a
 * redis-server of the test's own. Each test uses its own key prefix, so each
 * has a store marker of its own and the tests run concurrently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerSeen } from '../../src/store/store-marker.js';
import { freePort } from '../support/net.js';
import { RedisServer } from '../support/redis-server.js';
import { Cli } from './support/cli-process.js';

let redis: RedisServer;
let cli: Cli;

beforeAll(async () => {
  redis = await RedisServer.start();
  cli = new Cli(redis.url);
});

afterAll(async () => {
  await redis.stop();
});

const prefixed = (prefix: string) => ({ env: { SIPWARDEN_REDIS_PREFIX: prefix } });

async function storedMarker(prefix: string) {
  const plain = redis.client();
  try {
    return markerSeen(await plain.get(`${prefix}:store`));
  } finally {
    plain.disconnect();
  }
}

describe.concurrent('sipwarden store', { timeout: 120_000 }, () => {
  it('shows that a store has no marker, then marks it with init (kind init, by the actor)', async () => {
    const env = prefixed('unmarked');
    const [human, json] = await Promise.all([cli.run(['store', 'status'], env), cli.json(['store', 'status'], env)]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^no store marker: a loss of this store would go unnoticed/);
    expect(human.stdout).toContain('`sipwarden store init` marks it');
    expect(json).toEqual({ exists: false });

    const init = await cli.json(['store', 'init', '--actor', 'alice'], env);
    expect(init.marker).toMatchObject({ kind: 'init', createdBy: 'alice', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await storedMarker('unmarked')).toEqual({ state: 'present', marker: init.marker });
    const status = await cli.run(['store', 'status'], env);
    expect(status).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^store marker ${init.marker.id} \\(init, made \\S+ \\S+Z by alice\\)\\n$`)) });
    expect(await cli.json(['store', 'status'], env)).toEqual({ exists: true, marker: init.marker });
  });

  it('refuses to init a marked store without --force, and with it writes a new marker every edge accepts', async () => {
    const env = prefixed('marked');
    const first = await cli.json(['store', 'init'], env);
    const [refused, refusedJson] = await Promise.all([cli.run(['store', 'init'], env), cli.run(['store', 'init', '--json'], env)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `the store is marked already: store marker ${first.marker.id} (init, made ${first.marker.createdAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} by tester)\n` +
        'run again with --force to replace it: every edge then accepts the store as it is now, whatever it holds\n',
    );
    expect(refusedJson.code).toBe(1);
    expect(JSON.parse(refusedJson.stdout)).toMatchObject({ error: { kind: 'exists' } });
    expect(await storedMarker('marked')).toEqual({ state: 'present', marker: first.marker });

    const forced = await cli.run(['store', 'init', '--force', '--actor', 'bob'], env);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`replacing store marker ${first.marker.id}`);
    const now = await storedMarker('marked');
    expect(now).toMatchObject({ state: 'present', marker: { kind: 'init', createdBy: 'bob' } });
    expect(now.state === 'present' && now.marker.id).not.toBe(first.marker.id);
    const again = await cli.json(['store', 'init', '--force'], env);
    expect(again.replaced).toEqual({ exists: true, marker: (now as { marker: unknown }).marker });
  });

  it('reports a marker key holding something else, and --force replaces it', async () => {
    const plain = redis.client();
    await plain.set('garbled:store', 'not json');
    plain.disconnect();
    const env = prefixed('garbled');
    expect(await cli.json(['store', 'status'], env)).toEqual({ exists: true, malformed: 'not json' });
    expect((await cli.run(['store', 'init'], env)).code).toBe(1);
    expect((await cli.json(['store', 'init', '--force'], env)).replaced).toEqual({ exists: true, malformed: 'not json' });
  });

  it('exits 3 when Redis does not answer, and documents both commands in --help', async () => {
    const env = { env: { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, SIPWARDEN_REDIS_COMMAND_TIMEOUT_MS: '300' } };
    const [status, init, help] = await Promise.all([cli.run(['store', 'status', '--json'], env), cli.run(['store', 'init'], env), cli.run(['store', 'init', '--help'])]);
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout)).toMatchObject({ error: { kind: 'unreachable' } });
    expect(init.code).toBe(3);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--force');
    expect(help.stdout).toContain('sipwarden store init --force');
  });
});
