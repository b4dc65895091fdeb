/**
 * The console: signed out, the sign-in form; signed in, the tenant (picked,
 * for a token of all tenants), a page per scope, who is knocking and the
 * audit log, your own
 * address as the lockout guard sees it, and sign-out. A request answered
 * 401 (the session ended: idle, signed out elsewhere, token revoked) brings
 * the sign-in form back.
 */
import { useEffect, useState } from 'preact/hooks';
import { SCOPES } from '../policy/index.js';
import { messageOf, whenSessionEnds } from './api.js';
import { AuditPage } from './audit-page.js';
import { DeniedPage } from './denied-page.js';
import { Dialogs } from './dialog.js';
import { Notices } from './notices.js';
import { type Route, parseRoute, routeHash } from './route.js';
import { ScopePage } from './scope-page.js';
import { OTHER_PAGE_TITLES, type OtherPage, SCOPE_TEXT, type PageName, isOtherPage } from './scopes.js';
import { ALL_TENANTS, type SessionInfo, currentSession, signOut } from './session.js';
import { SignIn } from './sign-in.js';
import { TenantPicker } from './tenant-picker.js';

type State = { readonly kind: 'loading' } | { readonly kind: 'signed-out'; readonly ended?: string } | { readonly kind: 'signed-in'; readonly session: SessionInfo };

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const follow = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);
  return route;
}

const PAGES: readonly PageName[] = [...SCOPES, ...(Object.keys(OTHER_PAGE_TITLES) as OtherPage[])];
const pageTitle = (page: PageName) => (isOtherPage(page) ? OTHER_PAGE_TITLES[page] : SCOPE_TEXT[page].title);

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const route = useRoute();
  useEffect(() => {
    currentSession().then(
      (found) => setState('session' in found ? { kind: 'signed-in', session: found.session } : { kind: 'signed-out', ended: found.ended }),
      (err: unknown) => setState({ kind: 'signed-out', ended: messageOf(err) }),
    );
  }, []);
  useEffect(() => whenSessionEnds((message) => setState({ kind: 'signed-out', ended: message })), []);

  if (state.kind === 'loading') return <p class="loading">Loading…</p>;
  if (state.kind === 'signed-out') return <SignIn ended={state.ended} signedIn={(session) => setState({ kind: 'signed-in', session })} />;

  const { session } = state;
  const tenant = session.tenant === ALL_TENANTS ? route.tenant : session.tenant;
  const leave = async () => {
    try {
      await signOut();
      setState({ kind: 'signed-out' });
    } catch (err) {
      setState({ kind: 'signed-out', ended: messageOf(err) });
    }
  };
  return (
    <Notices>
      <Dialogs>
        <header class="top">
          <p class="brand">sipwarden</p>
          <p class="whoami">
            Signed in with token <strong>{session.tokenName}</strong>
            {tenant !== undefined && (
              <>
                {' '}
                for <strong>{tenant}</strong>
              </>
            )}
            . <span class="my-address">Your address is {session.address}</span>
          </p>
          <button type="button" onClick={leave}>
            Sign out
          </button>
        </header>
        {session.tenant === ALL_TENANTS && <TenantPicker current={tenant} pick={(picked) => (location.hash = routeHash(picked, route.page))} />}
        {tenant !== undefined && (
          <>
            <nav class="pages" aria-label="Pages">
              {PAGES.map((page) => (
                <a key={page} href={routeHash(tenant, page)} aria-current={page === route.page ? 'page' : undefined}>
                  {pageTitle(page)}
                </a>
              ))}
            </nav>
            <main>
              {route.page === 'audit' ? (
                <AuditPage tenant={tenant} />
              ) : route.page === 'denied' ? (
                <DeniedPage key={tenant} tenant={tenant} operator={session.tenant === ALL_TENANTS} />
              ) : (
                <ScopePage key={`${tenant}/${route.page}`} tenant={tenant} scope={route.page} session={session} />
              )}
            </main>
          </>
        )}
      </Dialogs>
    </Notices>
  );
}
