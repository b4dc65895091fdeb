/**
 * Runs the `sipwarden` CLI as a real subprocess, from source through tsx (no
 * build needed), with an environment of the test's own: nothing leaks in from
 * the shell running the tests (no SSH_CLIENT, no REDIS_URL of its own).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const MAIN = 'src/admin/cli/main.ts';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  /** Variables set (or, when undefined, removed) on top of the defaults. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Piped to stdin; stdin is closed empty without it. */
  readonly stdin?: string;
  /** Runs under `script`, so stdin, stdout and stderr are a terminal (their output arrives together as stdout). */
  readonly terminal?: boolean;
}

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

export class Cli {
  constructor(private readonly redisUrl: string) {}

  run(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
    const command = [process.execPath, '--import', 'tsx', MAIN, ...args];
    const [file, ...argv] = options.terminal ? ['script', '-qec', command.map(quote).join(' '), '/dev/null'] : command;
    return this.spawn(file!, argv, options);
  }

  /**
   * Runs a bash `script` in which `"$@"` is the command `sipwarden args`:
   * stdout and stderr are the script's, code its exit status.
   */
  shell(args: readonly string[], script: string, options: CliRunOptions = {}): Promise<CliRun> {
    return this.spawn('bash', ['-c', script, 'sipwarden', process.execPath, '--import', 'tsx', MAIN, ...args], options);
  }

  /** `sipwarden args | downstream` in a real pipeline: stdout is `downstream`'s, stderr both's, code sipwarden's own. */
  pipe(args: readonly string[], downstream: string, options: CliRunOptions = {}): Promise<CliRun> {
    return this.shell(args, `"$@" | ${downstream}; exit "\${PIPESTATUS[0]}"`, options);
  }

  private spawn(file: string, argv: readonly string[], options: CliRunOptions): Promise<CliRun> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', USER: 'tester', REDIS_URL: this.redisUrl };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const child = spawn(file, argv, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end(options.stdin ?? '');
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Runs a command that must succeed with --json, and returns its parsed output. */
  async json<T = any>(args: readonly string[], options: CliRunOptions = {}): Promise<T> {
    const run = await this.run([...args, '--json'], options);
    if (run.code !== 0) throw new Error(`sipwarden ${args.join(' ')} exited ${run.code}: ${run.stderr}${run.stdout}`);
    return JSON.parse(run.stdout) as T;
  }
}
