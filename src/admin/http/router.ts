/**
 * Matches a request path against the route templates. A parameter is one
 * path segment, percent-decoded, so an entry's `/` travels as `%2F`.
 */
import type { Route } from './api-context.js';
import { type Outcome, badRequest, errorReply, ok, refuse } from './reply.js';

export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

/** `/v1/tenants/{tenant}` → ['v1', 'tenants', '{tenant}']. */
const segmentsOf = (path: string) => path.split('/').slice(1);
const paramName = (segment: string) => (segment.startsWith('{') && segment.endsWith('}') ? segment.slice(1, -1) : undefined);

function matchPath(template: readonly string[], segments: readonly string[]): Map<string, string> | undefined {
  if (template.length !== segments.length) return undefined;
  const raw = new Map<string, string>();
  for (let i = 0; i < template.length; i++) {
    const name = paramName(template[i]!);
    if (name === undefined ? template[i] !== segments[i] : segments[i] === '') return undefined;
    if (name !== undefined) raw.set(name, segments[i]!);
  }
  return raw;
}

export class Router {
  private readonly compiled: ReadonlyArray<{ route: Route; template: readonly string[] }>;

  constructor(readonly routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({ route, template: segmentsOf(route.path) }));
  }

  match(method: string, pathname: string): Outcome<RouteMatch> {
    const segments = segmentsOf(pathname);
    const allowed: string[] = [];
    for (const { route, template } of this.compiled) {
      const raw = matchPath(template, segments);
      if (raw === undefined) continue;
      if (!route.methods.includes(method)) {
        allowed.push(...route.methods);
        continue;
      }
      const params: Record<string, string> = {};
      for (const [name, value] of raw) {
        try {
          params[name] = decodeURIComponent(value);
        } catch {
          return badRequest(name, `${name} is not a valid percent-encoded path segment`, value);
        }
      }
      return ok({ route, params });
    }
    if (allowed.length > 0) {
      return refuse(errorReply(405, { error: 'method-not-allowed', message: `${method} is not allowed here; use ${allowed.join(', ')}` }, { allow: allowed.join(', ') }));
    }
    const hint = pathname.includes('/entries/') ? ' (write the / of an entry as %2F: 10.0.0.0%2F8)' : '';
    return refuse(errorReply(404, { error: 'not-found', message: `no such resource: ${pathname}${hint}` }));
  }
}
