/**
 * One run of `nft`, spawned with an argument array (no shell: a table name or
 * address never reaches one), a batch on its stdin. Its failures are values
 * that say which kind they are, since a missing binary or a missing
 * privilege is the operator's to fix and anything else is the batch's.
 */
import { spawn } from 'node:child_process';

export type NftProblem = 'missing' | 'not-permitted' | 'no-such-table' | 'failed';

export type NftResult = { readonly ok: true; readonly stdout: string } | { readonly ok: false; readonly problem: NftProblem; readonly message: string };

/** An nft that hangs (a kernel busy with a huge set) is killed after this. */
const NFT_TIMEOUT_MS = 10_000;
/** nft's error output kept: its first lines name the problem. */
const MAX_ERROR_CHARS = 2000;

function problemOf(stderr: string): NftProblem {
  if (/Operation not permitted/i.test(stderr)) return 'not-permitted';
  if (/No such file or directory/i.test(stderr)) return 'no-such-table';
  return 'failed';
}

export function runNft(binary: string, args: readonly string[], stdin?: string): Promise<NftResult> {
  return new Promise((resolve) => {
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: NFT_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(0, MAX_ERROR_CHARS)));
    // A child that dies before reading its stdin makes the write fail (EPIPE); its exit says why.
    child.stdin.on('error', () => undefined);
    child.once('error', (err: NodeJS.ErrnoException) => {
      const missing = err.code === 'ENOENT';
      resolve({ ok: false, problem: missing ? 'missing' : err.code === 'EACCES' ? 'not-permitted' : 'failed', message: missing ? `${binary} not found` : `${binary}: ${err.message}` });
    });
    child.once('close', (code, signal) => {
      if (code === 0) return resolve({ ok: true, stdout });
      const said = stderr.trim().split('\n').slice(0, 3).join(' / ');
      resolve({ ok: false, problem: problemOf(stderr), message: `${binary} ${args.join(' ')} ${signal !== null ? `killed (${signal})` : `exited ${code}`}${said === '' ? '' : `: ${said}`}` });
    });
    child.stdin.end(stdin ?? '');
  });
}
