/**
 * Where the console is: the tenant and page in the URL's fragment
 * (`#/acme/sip`), so a reload or a bookmark opens the same page and the
 * browser's back button works. Nothing secret is ever in the URL.
 */
import { SCOPES, isScope } from '../policy/index.js';
import { type PageName, isOtherPage } from './scopes.js';

export interface Route {
  readonly tenant: string | undefined;
  readonly page: PageName;
}

export function parseRoute(hash: string): Route {
  const [tenant, page] = hash.replace(/^#\/?/, '').split('/').map((part) => decodeURIComponent(part));
  const known: PageName = page !== undefined && (isOtherPage(page) || isScope(page)) ? page : SCOPES[0];
  return { tenant: tenant === undefined || tenant === '' ? undefined : tenant, page: known };
}

export const routeHash = (tenant: string, page: PageName) => `#/${encodeURIComponent(tenant)}/${page}`;
