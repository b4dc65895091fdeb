/**
 * The admin console's files: one HTML page and the bundle `npm run
 * build:console` writes to dist/console (app.js, app.css). Everything the
 * page loads comes from here; its CSP allows scripts, styles and requests
 * to this origin only and no inline script or style, so nothing injected
 * into it can run. What the page shows it asks the /v1 API for, as any
 * portal does. The files are read once, at start.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

export const CONSOLE_PATH = '/console/';

/** From src/admin/http or dist/admin/http alike: the package's dist/console. */
const BUNDLE_DIR = new URL('../../../dist/console/', import.meta.url);

const CONSOLE_CSP =
  "default-src 'none'; base-uri 'none'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; " +
  "img-src 'self'; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self'; style-src-attr 'none'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sipwarden console</title>
<link rel="stylesheet" href="${CONSOLE_PATH}app.css">
<script type="module" src="${CONSOLE_PATH}app.js"></script>
</head>
<body>
<div id="app"><noscript>The sipwarden console needs JavaScript.</noscript></div>
</body>
</html>
`;

const NOT_BUILT = 'The console is not built: run npm run build (or npm run build:console) and restart.\n';

const ASSETS = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' } as const;

async function readBundle(): Promise<Map<string, Buffer> | undefined> {
  try {
    const files = await Promise.all(Object.keys(ASSETS).map(async (name) => [name, await readFile(new URL(name, BUNDLE_DIR))] as const));
    return new Map(files);
  } catch {
    return undefined;
  }
}

export async function consoleRoutes(app: FastifyInstance): Promise<void> {
  const bundle = await readBundle();
  app.get(CONSOLE_PATH.slice(0, -1), { schema: { hide: true } }, async (_request, reply) => reply.redirect(CONSOLE_PATH, 308));
  app.get(CONSOLE_PATH, { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-security-policy', CONSOLE_CSP);
    if (bundle === undefined) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
    return reply.type('text/html; charset=utf-8').send(PAGE);
  });
  for (const [name, type] of Object.entries(ASSETS)) {
    app.get(`${CONSOLE_PATH}${name}`, { schema: { hide: true } }, async (_request, reply) => {
      const content = bundle?.get(name);
      if (content === undefined) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
      // Read once at start, so a page loaded after a restart gets the new bundle: revalidate each time.
      return reply.type(type).header('cache-control', 'no-cache').send(content);
    });
  }
}
