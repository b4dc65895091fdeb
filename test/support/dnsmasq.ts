/**
 * A dnsmasq of the test's own on a free loopback port, answering for `.test`
 * names from a hosts file the test rewrites: real DNS over UDP (and TCP for
 * long answers), with the TTL it is given, NXDOMAIN for any other `.test`
 * name and NODATA for a type a name lacks. It forwards nothing.
 *
 * dnsmasq reads the hosts file again on SIGHUP (setRecords waits for its
 * "read … names" line), logs every query (queries() counts them), and
 * stopping or pausing it (SIGSTOP: queries time out) plays a DNS outage.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, chmodSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net.js';

/** name -> addresses (IPv4 and IPv6 alike). */
export type Records = Readonly<Record<string, readonly string[]>>;

export function findDnsmasq(): string | undefined {
  const candidates = [process.env.DNSMASQ_BIN, ...(process.env.PATH ?? '').split(':').map((dir) => join(dir, 'dnsmasq')), '/usr/sbin/dnsmasq'];
  return candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path));
}

export class Dnsmasq {
  private process: ChildProcess | undefined;
  private log = '';
  private readonly dir = mkdtempSync(join(tmpdir(), 'sipwarden-dnsmasq-'));
  private readonly hosts = join(this.dir, 'hosts');

  private constructor(
    readonly port: number,
    private readonly ttl: number,
  ) {
    // dnsmasq started as root drops to --user before it reads the file.
    chmodSync(this.dir, 0o755);
  }

  /** Starts one answering `records` with `ttl` seconds. */
  static async start(records: Records, ttl = 1): Promise<Dnsmasq> {
    const server = new Dnsmasq(await freePort(), ttl);
    server.writeRecords(records);
    await server.run();
    return server;
  }

  /** The server as SIPWARDEN_DNS_SERVERS takes it. */
  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Replaces the records and waits until dnsmasq has read them. */
  async setRecords(records: Records): Promise<void> {
    const reads = this.count(/read \S+hosts - \d+ names/g);
    this.writeRecords(records);
    this.process?.kill('SIGHUP');
    await waitFor('dnsmasq to read its hosts file again', () => (this.count(/read \S+hosts - \d+ names/g) > reads ? true : undefined), 5000, 10);
  }

  /** Queries for `name` received so far (of `type`, or any). */
  queries(name: string, type?: 'A' | 'AAAA'): number {
    const escaped = name.replace(/[.]/g, '\\.');
    return this.count(new RegExp(`query\\[${type ?? '(?:A|AAAA)'}\\] ${escaped} from`, 'g'));
  }

  /** Freezes the server: queries go unanswered and time out. */
  pause(): void {
    this.process?.kill('SIGSTOP');
  }

  resume(): void {
    this.process?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    child.kill('SIGCONT');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** Starts it again on the same port, with the records last set. */
  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeRecords(records: Records): void {
    const lines = Object.entries(records).flatMap(([name, addresses]) => addresses.map((address) => `${address} ${name}`));
    writeFileSync(this.hosts, `${lines.join('\n')}\n`, { mode: 0o644 });
  }

  private count(pattern: RegExp): number {
    return [...this.log.matchAll(pattern)].length;
  }

  private async run(): Promise<void> {
    const binary = findDnsmasq();
    if (binary === undefined) throw new Error('dnsmasq not found (Debian: apt-get install dnsmasq-base; .ci/run installs it), or set DNSMASQ_BIN');
    const args = [
      '--keep-in-foreground',
      `--port=${this.port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      `--addn-hosts=${this.hosts}`,
      '--local=/test/',
      `--local-ttl=${this.ttl}`,
      '--log-queries',
      '--log-facility=-',
      `--pid-file=${join(this.dir, 'pid')}`,
      `--user=${userInfo().username}`,
      '--cache-size=0',
    ];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    const append = (chunk: Buffer) => {
      this.log += chunk.toString();
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    const started = this.log.length;
    await waitFor(
      `dnsmasq to start on port ${this.port}`,
      () => {
        if (child.exitCode !== null) throw new Error(`dnsmasq exited ${child.exitCode}: ${this.log.slice(started)}`);
        return /read \S+hosts - \d+ names/.test(this.log.slice(started)) ? true : undefined;
      },
      5000,
      10,
    );
  }
}
