import { execFileSync } from 'node:child_process';

/** The commit measured, `-dirty` when `path` has uncommitted changes; undefined outside git. */
export function measuredCommit(path: string): string | undefined {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', path) === '' ? '' : '-dirty'}`;
  } catch {
    return undefined;
  }
}
