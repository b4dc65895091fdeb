/**
 * Vitest global setup: builds the console bundle once per run, with the
 * same command as `npm run build`, so the browser tests run the page as
 * the sources are now (the admin API serves dist/console).
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npm', ['run', '--silent', 'build:console'], { stdio: 'inherit' });
}
