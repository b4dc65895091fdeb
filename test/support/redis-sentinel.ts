/**
 * A redis-sentinel of the test's own, watching one master as `mymaster`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, until } from './net.js';

export class RedisSentinel {
  private constructor(
    readonly port: number,
    private readonly process: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(masterPort: number): Promise<RedisSentinel> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'sipwarden-sentinel-'));
    const config = join(dir, 'sentinel.conf');
    writeFileSync(config, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`, ''].join('\n'));
    const child = spawn('redis-server', [config, '--sentinel'], { stdio: 'ignore' });
    const sentinel = new RedisSentinel(port, child, dir);
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => 50 });
    probe.on('error', () => undefined);
    await until(
      async () => {
        try {
          if (probe.status === 'wait') await probe.connect();
          const master = (await probe.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[] | null;
          return master?.[1] === String(masterPort);
        } catch {
          return false;
        }
      },
      10_000,
      'sentinel to know the master',
    );
    probe.disconnect();
    return sentinel;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      await new Promise<void>((resolve) => {
        this.process.once('exit', () => resolve());
        this.process.kill('SIGKILL');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
