/**
 * sipwarden as it ships: the benchmarks that time the edge load tsc's build
 * in dist/ (their npm scripts run `npm run build` first), as `npm start`
 * does, and not the sources through tsx. tsx's esbuild transform keeps
 * function names by wrapping every named function it creates in a
 * `__name()` call that redefines the function's `name`: a cost per closure
 * made per request that no deployment pays, and that a profile of bench:sip
 * put at several microseconds per proxied request.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The entry point `npm start` runs, relative to the repository. */
export const BUILT_MAIN = 'dist/main.js';

type App = typeof import('../../src/app.js');
type Config = typeof import('../../src/config/index.js');

/** The built modules, or an error naming the missing build. */
export async function builtSipwarden(): Promise<App & Config> {
  const at = (path: string): URL => new URL(`../../dist/${path}`, import.meta.url);
  if (!existsSync(at('app.js'))) throw new Error(`no build at ${fileURLToPath(at('app.js'))}: run \`npm run build\` first (the bench:* scripts do)`);
  const [app, config] = await Promise.all([import(at('app.js').href) as Promise<App>, import(at('config/index.js').href) as Promise<Config>]);
  return { ...app, ...config };
}
